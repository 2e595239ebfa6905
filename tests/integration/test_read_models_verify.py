"""`commerce read-models verify` on the real servers: a store written through the handlers and
projected by the read models' own projections agrees with PostgreSQL; a document deleted,
altered or added behind the projections' back is reported, model by model."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import msgspec
import pytest
from click.testing import CliRunner, Result
from elasticsearch import Elasticsearch
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.payments.sandbox import SandboxPaymentGateway
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.outbox import envelope_from_row
from commerce.adapters.postgres.tables import outbox
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.adapters.system_clock import SystemClock
from commerce.application.orders import (
    CancelOrder,
    DeliverOrder,
    ShipOrder,
    cancel_order,
    deliver_order,
    ship_order,
)
from commerce.application.payments import SubmitPayment, submit_payment
from commerce.application.reviews import PostReview, post_review
from commerce.domain.order import CancelReason, Order
from commerce.domain.review import ReviewText
from commerce.domain.values import Money
from commerce.entrypoints.cli import main
from commerce.settings import Settings
from projections.carts import document as cart_document
from projections.orders import document as order_document
from projections.orders.projector import apply_events
from projections.products import document as product_document
from projections.registry import projections_for
from tests.databases import fresh_database
from tests.proxy import CuttableProxy
from tests.shop import (
    NewUnitOfWork,
    check_out,
    customer_with_cart,
    recorded_events,
    stocked_product,
    unique_sku,
)


@dataclass
class Store:
    """What the write side holds, by model: the ids a test may tamper with."""

    products: list[str]
    orders: list[str]
    carts_with_lines: list[str]
    reviews: list[str]


@pytest.fixture
def settings(stack_settings: Settings) -> Iterator[Settings]:
    """A database of its own (verify reads every row) and an index prefix of its own."""
    with fresh_database(stack_settings) as url:
        yield msgspec.structs.replace(
            stack_settings, database_url=url, index_prefix=f"test-{uuid.uuid4().hex[:10]}"
        )


@pytest.fixture
def client(settings: Settings) -> Iterator[Elasticsearch]:
    client = Elasticsearch(settings.elasticsearch_url, request_timeout=30)
    yield client
    for name in client.indices.get(index=f"{settings.index_prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database_url)
    yield engine
    await engine.dispose()


async def write_store(engine: AsyncEngine) -> Store:
    """Three products (one archived), a delivered and a cancelled order (whose carts are now
    empty), two carts still holding lines, and a review of the delivered product: every
    change through its handler."""
    clock = SystemClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    skus = [unique_sku() for _ in range(3)]
    products = [await stocked_product(new_uow, {sku: 5}, price=2000) for sku in skus]
    async with new_uow() as uow:
        archived = await uow.products.get(products[2])
        archived.archive(clock.now())
        await uow.commit()
    delivered = await _ordered(new_uow, clock, skus[0], products[0])
    payment = SubmitPayment(
        order_id=delivered.id,
        payment_id=uuid.uuid4(),
        customer_id=delivered.customer_id,
        amount=Money(2000, "EUR"),
        token="tok_visa",
    )
    await submit_payment(payment, new_uow(), SandboxPaymentGateway(engine), clock)
    await ship_order(
        ShipOrder(order_id=delivered.id, carrier="DHL", tracking_number="1"), new_uow(), clock
    )
    await deliver_order(DeliverOrder(order_id=delivered.id), new_uow(), clock)
    review = PostReview(
        review_id=uuid.uuid4(),
        product_id=products[0],
        customer_id=delivered.customer_id,
        text=ReviewText(stars=4, title="Boils fast"),
    )
    reviewed = await post_review(review, new_uow(), clock)
    cancelled = await _ordered(new_uow, clock, skus[1], products[1])
    await cancel_order(
        CancelOrder(order_id=cancelled.id, reason=CancelReason.OPERATOR), new_uow(), clock
    )
    shoppers = [await customer_with_cart(new_uow, {skus[n]: 1}, products[n]) for n in (0, 1)]
    return Store(
        products=[str(p) for p in products],
        orders=[str(delivered.id), str(cancelled.id)],
        carts_with_lines=[str(shopper.id) for shopper in shoppers],
        reviews=[str(reviewed.review.id)],
    )


async def _ordered(
    new_uow: NewUnitOfWork, clock: SystemClock, sku: str, product_id: uuid.UUID
) -> Order:
    shopper = await customer_with_cart(new_uow, {sku: 1}, product_id)
    return (await check_out(new_uow, clock, shopper)).order


async def project_everything(
    engine: AsyncEngine, settings: Settings, client: Elasticsearch
) -> None:
    """Every outbox event through every read model's projection, as the worker would."""
    async with engine.connect() as connection:
        rows = await connection.execute(select(outbox).order_by(outbox.c.id))
        events = [envelope_from_row(row) for row in rows.mappings()]
    for projection in projections_for(settings.index_prefix):
        projection.ensure_index(client)
        projection.project(client, events)


async def verify(settings: Settings, *args: str) -> Result:
    environment = {
        "COMMERCE_DATABASE_URL": settings.database_url,
        "COMMERCE_ELASTICSEARCH_URL": settings.elasticsearch_url,
        "COMMERCE_INDEX_PREFIX": settings.index_prefix,
    }
    return await asyncio.to_thread(
        CliRunner().invoke, main, ["read-models", "verify", *args], env=environment
    )


def lines_about(result: Result, model: str, doc_id: str) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith(f"{model} {doc_id} ")]


async def test_a_store_projected_from_all_its_events_verifies_clean_and_exits_0(
    engine: AsyncEngine, settings: Settings, client: Elasticsearch
) -> None:
    await write_store(engine)
    await project_everything(engine, settings, client)

    result = await verify(settings)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "products: 3 checked, 0 missing, 0 divergent, 0 unexpected",
        "orders: 2 checked, 0 missing, 0 divergent, 0 unexpected",
        "carts: 4 checked, 0 missing, 0 divergent, 0 unexpected",
        "reviews: 1 checked, 0 missing, 0 divergent, 0 unexpected",
        "promotions: 0 checked, 0 missing, 0 divergent, 0 unexpected",
    ]


async def tamper(engine: AsyncEngine, client: Elasticsearch, prefix: str, store: Store) -> Store:
    """Per model: delete one document, make another lag or disagree, and add one that has no
    record. Returns the added ids."""
    alias = {name: f"{prefix}-{name}" for name in ("products", "orders", "carts", "reviews")}
    strays = Store(*([str(uuid.uuid4())] for _ in range(4)))

    client.delete(index=alias["products"], id=store.products[0])
    client.update(index=alias["products"], id=store.products[1], doc={"display": {"name": "Fake"}})
    stray = product_document.ProductState(product_id=strays.products[0], catalog_version=1)
    client.index(
        index=alias["products"], id=strays.products[0], document=product_document.document(stray)
    )

    client.delete(index=alias["orders"], id=store.orders[1])
    history = await recorded_events(engine, uuid.UUID(store.orders[0]))
    paid = apply_events(None, history[:3])  # before shipping and delivery
    client.index(index=alias["orders"], id=store.orders[0], document=order_document.document(paid))
    stray_order = msgspec.structs.replace(paid, order_id=uuid.UUID(strays.orders[0]))
    client.index(
        index=alias["orders"], id=strays.orders[0], document=order_document.document(stray_order)
    )

    client.delete(index=alias["carts"], id=store.carts_with_lines[0])
    cart = client.get(index=alias["carts"], id=store.carts_with_lines[1])["_source"]
    cart["lines"][0]["quantity"] = 7
    client.index(index=alias["carts"], id=store.carts_with_lines[1], document=cart)
    stray_cart = cart_document.CartSnapshot(
        customer_id=strays.carts_with_lines[0], version=1, lines=[]
    )
    client.index(
        index=alias["carts"],
        id=strays.carts_with_lines[0],
        document=cart_document.document(stray_cart),
    )

    client.update(index=alias["reviews"], id=store.reviews[0], doc={"hidden": True})
    return strays


async def test_a_missing_a_divergent_and_an_unexpected_document_per_model_are_reported_and_exit_1(
    engine: AsyncEngine, settings: Settings, client: Elasticsearch
) -> None:
    store = await write_store(engine)
    await project_everything(engine, settings, client)
    strays = await tamper(engine, client, settings.index_prefix, store)

    result = await verify(settings)

    assert result.exit_code == 1, result.output
    assert lines_about(result, "products", store.products[0]) == [
        f"products {store.products[0]} missing: expected a document at version 1, found none"
    ]
    assert lines_about(result, "products", store.products[1]) == [
        f'products {store.products[1]} divergent: name: expected "Stainless steel kettle", '
        'found "Fake"'
    ]
    assert lines_about(result, "products", strays.products[0]) == [
        f"products {strays.products[0]} unexpected: found a document at version 1, "
        "nothing in PostgreSQL"
    ]
    assert lines_about(result, "orders", store.orders[1]) == [
        f"orders {store.orders[1]} missing: expected a document at version 2, found none"
    ]
    (lagging,) = lines_about(result, "orders", store.orders[0])
    assert lagging.startswith(
        f"orders {store.orders[0]} divergent: version: expected 5, found 3; status: expected "
        '"delivered", found "paid"; '
    )
    assert "shipment: expected {" in lagging
    assert len(lines_about(result, "orders", strays.orders[0])) == 1
    assert lines_about(result, "carts", store.carts_with_lines[0]) == [
        f"carts {store.carts_with_lines[0]} missing: expected a document at version 1, found none"
    ]
    (changed,) = lines_about(result, "carts", store.carts_with_lines[1])
    assert '"quantity":1}], found [{' in changed
    assert '"quantity":7}]' in changed
    assert len(lines_about(result, "carts", strays.carts_with_lines[0])) == 1
    assert lines_about(result, "reviews", store.reviews[0]) == [
        f"reviews {store.reviews[0]} divergent: hidden: expected false, found true"
    ]
    assert "reviews: 1 checked, 0 missing, 1 divergent, 0 unexpected" in result.output
    assert "carts: 4 checked, 1 missing, 1 divergent, 1 unexpected" in result.output
    assert "products: 3 checked, 1 missing, 1 divergent, 1 unexpected" in result.output
    assert "orders: 2 checked, 1 missing, 1 divergent, 1 unexpected" in result.output


async def test_the_limit_shortens_the_listing_of_the_models_asked_for_but_not_their_counts(
    engine: AsyncEngine, settings: Settings, client: Elasticsearch
) -> None:
    store = await write_store(engine)
    await project_everything(engine, settings, client)
    await tamper(engine, client, settings.index_prefix, store)

    result = await verify(settings, "orders", "--limit", "1")

    assert result.exit_code == 1, result.output
    listed, more, summary = result.output.splitlines()
    assert listed.startswith("orders ")
    assert more == "orders: 2 more not shown (--limit)"
    assert summary == "orders: 2 checked, 1 missing, 1 divergent, 1 unexpected"


async def test_when_elasticsearch_does_not_answer_verify_says_so_and_exits_2(
    engine: AsyncEngine, settings: Settings
) -> None:
    await write_store(engine)
    target = urlsplit(settings.elasticsearch_url)
    down = CuttableProxy(target.hostname or "127.0.0.1", target.port or 9200)  # never started

    result = await verify(
        msgspec.structs.replace(settings, elasticsearch_url=down.url("http")), "products"
    )

    assert result.exit_code == 2, result.output
    assert "cannot verify:" in result.output
    assert "Traceback" not in result.output
