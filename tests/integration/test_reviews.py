"""Reviews on the real servers: the delivered-order rule read from PostgreSQL, a second review
replacing the first, hiding and showing moving the product's rating, many reviews of one
product at once all counted, and the ratings reaching search (and surviving a rebuild)."""

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import msgspec
import pytest
from elasticsearch import AsyncElasticsearch, Elasticsearch
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.elasticsearch.product_search import ElasticsearchProductSearch
from commerce.adapters.elasticsearch.review_views import ElasticsearchReviewViews
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.postgres.catalog_snapshot import catalog_reader
from commerce.adapters.postgres.outbox import envelope_from_row
from commerce.adapters.postgres.snapshots import read_reviews, synchronous
from commerce.adapters.postgres.tables import outbox, product_ratings, reviews
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.application.orders import DeliverOrder, ShipOrder, deliver_order, ship_order
from commerce.application.reviews import PostReview, post_review
from commerce.domain.account import Account
from commerce.domain.review import ReviewText
from commerce.entrypoints.http.app import create_app
from commerce.ports.product_search import ProductQuery
from commerce.ports.review_views import ReviewQuery
from commerce.settings import Settings
from projections.products.projector import ProductsProjection
from projections.products.rebuild import rebuild as rebuild_products
from projections.reviews.projector import ReviewsProjection
from projections.reviews.rebuild import rebuild as rebuild_reviews
from tests.shop import (
    NewUnitOfWork,
    check_out,
    customer_with_cart,
    delivered,
    paid,
    stocked_product,
    unique_sku,
)
from tests.support import TEST_JWT_SECRET, bearer

OPERATOR = bearer("operator")


@pytest.fixture
def client(stack_settings: Settings, database_url: str) -> Iterator[TestClient[Litestar]]:
    settings = msgspec.structs.replace(
        stack_settings, database_url=database_url, jwt_secret=TEST_JWT_SECRET
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def new_uow(engine: AsyncEngine, clock: FixedClock) -> NewUnitOfWork:
    return lambda: PostgresUnitOfWork(engine, clock)


class Product:
    def __init__(self, new_uow: NewUnitOfWork, clock: FixedClock, sku: str, id_: UUID) -> None:
        self.new_uow, self.clock, self.sku, self.id = new_uow, clock, sku, id_

    async def buyer(self, *, received: bool = True) -> Account:
        customer = await customer_with_cart(self.new_uow, {self.sku: 1}, self.id)
        if received:
            await delivered(self.new_uow, self.clock, customer)
        return customer


@pytest.fixture
async def product(new_uow: NewUnitOfWork, clock: FixedClock) -> Product:
    sku = unique_sku("RV")
    return Product(new_uow, clock, sku, await stocked_product(new_uow, {sku: 100}))


def post(client: TestClient[Litestar], product: Product, customer: Account, **body: Any) -> Any:
    document = {"rating": 5, "title": "Great kettle"} | body
    headers = bearer("customer", account_id=customer.id)
    return client.post(f"/v1/products/{product.id}/reviews", json=document, headers=headers)


async def stored(engine: AsyncEngine, product: Product) -> tuple[int, tuple[int, int] | None]:
    """(review rows of the product, (count, stars) of its rating row)."""
    async with engine.connect() as connection:
        rows = await connection.scalar(
            select(func.count()).select_from(reviews).where(reviews.c.product_id == product.id)
        )
        rating = (
            await connection.execute(
                select(product_ratings.c.count, product_ratings.c.stars).where(
                    product_ratings.c.product_id == product.id
                )
            )
        ).one_or_none()
    return int(rows or 0), (rating.count, rating.stars) if rating else None


async def test_a_customer_may_review_only_once_their_order_of_the_product_is_delivered(
    client: TestClient[Litestar], engine: AsyncEngine, product: Product
) -> None:
    customer = await product.buyer(received=False)
    placed = await check_out(product.new_uow, product.clock, customer)
    await paid(product.new_uow, product.clock, placed)
    ship = ShipOrder(order_id=placed.order.id, carrier="DHL", tracking_number="T1")
    await ship_order(ship, product.new_uow(), product.clock)

    shipped_only = post(client, product, customer)
    await delivered(product.new_uow, product.clock, await product.buyer(received=False))
    still_not = post(client, product, customer)  # another customer's delivery is not theirs
    await deliver_order(DeliverOrder(order_id=placed.order.id), product.new_uow(), product.clock)
    after_delivery = post(client, product, customer)

    assert shipped_only.status_code == 403, shipped_only.text
    assert shipped_only.json()["reason"] == "not_a_verified_buyer"
    assert still_not.status_code == 403
    assert after_delivery.status_code == 201, after_delivery.text
    assert await stored(engine, product) == (1, (1, 5))


async def test_a_second_review_replaces_the_first_and_the_count_does_not_grow(
    client: TestClient[Litestar], engine: AsyncEngine, product: Product
) -> None:
    customer = await product.buyer()

    first = post(client, product, customer, rating=5)
    second = post(client, product, customer, rating=2, title="Rusted", body="After a month.")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert await stored(engine, product) == (1, (1, 2))


async def test_hiding_and_showing_a_review_move_the_products_rating(
    client: TestClient[Litestar], engine: AsyncEngine, product: Product
) -> None:
    post(client, product, await product.buyer(), rating=5)
    rant = post(client, product, await product.buyer(), rating=1).json()

    hidden = client.post(f"/v1/admin/reviews/{rant['id']}/hide", headers=OPERATOR)
    while_hidden = await stored(engine, product)
    shown = client.post(f"/v1/admin/reviews/{rant['id']}/unhide", headers=OPERATOR)

    assert (hidden.status_code, shown.status_code) == (200, 200)
    assert while_hidden == (2, (1, 5))
    assert await stored(engine, product) == (2, (2, 6))


async def test_many_reviews_of_one_product_at_once_are_all_counted(
    engine: AsyncEngine, product: Product
) -> None:
    buyers = [await product.buyer() for _ in range(6)]
    stars = [5, 4, 3, 5, 1, 2]

    await asyncio.gather(
        *(
            post_review(
                PostReview(
                    review_id=uuid.uuid4(),
                    product_id=product.id,
                    customer_id=buyer.id,
                    text=ReviewText(stars=given, title="At once"),
                ),
                product.new_uow(),
                product.clock,
            )
            for buyer, given in zip(buyers, stars, strict=True)
        )
    )

    assert await stored(engine, product) == (6, (6, sum(stars)))


async def test_one_customer_posting_twice_at_once_leaves_one_review(
    engine: AsyncEngine, product: Product
) -> None:
    customer = await product.buyer()

    def command(given: int) -> PostReview:
        text = ReviewText(stars=given, title="Twice")
        return PostReview(
            review_id=uuid.uuid4(), product_id=product.id, customer_id=customer.id, text=text
        )

    results = await asyncio.gather(
        *(post_review(command(given), product.new_uow(), product.clock) for given in (5, 1))
    )

    assert sorted(result.created for result in results) == [False, True]
    assert await stored(engine, product) in [(1, (1, 5)), (1, (1, 1))]


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/v1/products/{id}/reviews", "customer"),
        ("/v1/admin/reviews/{id}/hide", "operator"),
        ("/v1/admin/reviews/{id}/unhide", "operator"),
    ],
)
def test_each_review_command_is_a_401_anonymous_and_a_403_in_another_role(
    client: TestClient[Litestar], path: str, role: str
) -> None:
    url = path.format(id=uuid.uuid4())
    other = "operator" if role == "customer" else "customer"

    anonymous = client.post(url, json={"rating": 5, "title": "Fine"})
    wrong_role = client.post(url, json={"rating": 5, "title": "Fine"}, headers=bearer(other))

    assert anonymous.status_code == 401
    assert wrong_role.status_code == 403


async def test_a_bad_review_body_is_a_422_naming_each_field_and_writes_nothing(
    client: TestClient[Litestar], engine: AsyncEngine, product: Product
) -> None:
    customer = await product.buyer()

    bad_stars = post(client, product, customer, rating=9)
    bad_title = post(client, product, customer, title="nul\x00")

    assert bad_stars.status_code == 422, bad_stars.text
    assert [e["field"] for e in bad_stars.json()["errors"]] == ["rating"]
    assert bad_title.status_code == 422, bad_title.text
    assert [e["field"] for e in bad_title.json()["errors"]] == ["title"]
    assert await stored(engine, product) == (0, None)


# Into search --------------------------------------------------------------------------------


@pytest.fixture
def es(stack_settings: Settings) -> Iterator[tuple[Elasticsearch, str]]:
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


async def project(engine: AsyncEngine, client: Elasticsearch, prefix: str) -> None:
    """Every outbox event through the products and reviews projections, twice (redelivery)."""
    async with engine.connect() as connection:
        rows = await connection.execute(select(outbox).order_by(outbox.c.id))
        events = [envelope_from_row(row) for row in rows.mappings()]
    for projection in (ProductsProjection(prefix), ReviewsProjection(prefix)):
        projection.ensure_index(client)
        for batch in (events, list(reversed(events))):
            await asyncio.to_thread(projection.project, client, batch)
        client.indices.refresh(index=projection.alias)


async def test_ratings_reach_search_follow_hiding_and_survive_a_rebuild(
    client: TestClient[Litestar],
    engine: AsyncEngine,
    database_url: str,
    product: Product,
    es: tuple[Elasticsearch, str],
    elasticsearch: AsyncElasticsearch,
) -> None:
    sync_client, prefix = es
    search = ElasticsearchProductSearch(elasticsearch, prefix)
    listing = ElasticsearchReviewViews(elasticsearch, prefix)
    post(client, product, await product.buyer(), rating=5)
    rant = post(client, product, await product.buyer(), rating=2).json()

    async def seen() -> tuple[float, int, list[int]]:
        view = await search.get(product.id)
        assert view is not None
        page = await listing.list_reviews(ReviewQuery(product_id=product.id))
        return view.rating.average, view.rating.count, [r.rating for r in page.items]

    await project(engine, sync_client, prefix)
    both = await seen()
    client.post(f"/v1/admin/reviews/{rant['id']}/hide", headers=OPERATOR)
    await project(engine, sync_client, prefix)
    hidden = await seen()
    await asyncio.to_thread(rebuild_products, sync_client, prefix, catalog_reader(database_url))
    await asyncio.to_thread(
        rebuild_reviews, sync_client, prefix, synchronous(database_url, read_reviews)
    )
    sync_client.indices.refresh(index=f"{prefix}-*")
    rebuilt = await seen()

    assert both == (3.5, 2, [2, 5])
    assert hidden == (5.0, 1, [5])
    assert rebuilt == hidden
    found = await search.search(ProductQuery(rating_min=5, sort="rating", q="kettle"))
    assert product.id in [item.id for item in found.items]
