"""The cart views contract, held by the in-memory twin and by Elasticsearch alike.

Both are fed the same events made by the real aggregates: the twin through its own `apply`,
Elasticsearch through the real `products` and `carts` projections into indices of a prefix of
this module's own.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass

import pytest
from elasticsearch import Elasticsearch

from commerce.adapters.elasticsearch.cart_views import ElasticsearchCartViews
from commerce.adapters.elasticsearch.client import create_client
from commerce.adapters.envelopes import envelopes_for
from commerce.adapters.memory.cart_views import InMemoryCartViews
from commerce.domain.cart import Cart
from commerce.domain.catalog import Product, Variant
from commerce.domain.events import EventEnvelope
from commerce.domain.pricing import PricedCart, PricingContext, price_cart
from commerce.ports.cart_views import CartViews
from commerce.ports.health import DependencyUnavailableError
from commerce.settings import Settings
from projections.carts.projector import CartsProjection
from projections.products.projector import ProductsProjection
from tests.product_events import a_product, changes, stock_of
from tests.support import ELASTICSEARCH_TIMEOUT, NOW, eur, free_port

_counter = itertools.count()
Line = tuple[str, int, int, int, bool]  # sku, quantity, unit price, line total, available


@dataclass
class Shop:
    views: CartViews
    apply: Callable[[Sequence[EventEnvelope]], Awaitable[None]]

    async def stocked_product(self, name: str, price: int, on_hand: int) -> tuple[Product, str]:
        sku = f"SKU-{uuid.uuid4().hex[:10]}"
        product, created = a_product(name, variants=[(sku, price, {})])
        _, counted = stock_of(product, sku, on_hand)
        await self.apply(created + counted)
        return product, sku

    async def cart_of(self, customer_id: uuid.UUID) -> PricedCart:
        """The cart the views give, priced at list prices with no code (the application adds
        those)."""
        contents = await self.views.get_cart(customer_id)
        return price_cart(contents, PricingContext(at=NOW, currency="EUR"))


def lines_of(cart: PricedCart) -> list[Line]:
    return [
        (item.sku, item.quantity, item.unit_price.amount, item.line_total.amount, item.available)
        for item in cart.items
    ]


def totals_of(cart: PricedCart) -> tuple[int, int, int]:
    return cart.subtotal.amount, cart.discount.amount, cart.total.amount


def a_cart() -> Cart:
    return Cart(customer_id=uuid.uuid4())


def events_of(cart: Cart) -> list[EventEnvelope]:
    return envelopes_for(cart, NOW)


@pytest.fixture(scope="module")
def es_module(stack_settings: Settings) -> Iterator[tuple[Elasticsearch, str]]:
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    prefix = f"test-carts-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture(params=["memory", "elasticsearch"])
async def shop(request: pytest.FixtureRequest) -> AsyncIterator[Shop]:
    if request.param == "memory":
        twin = InMemoryCartViews("EUR")

        async def apply_to_twin(events: Sequence[EventEnvelope]) -> None:
            twin.apply(events)

        yield Shop(twin, apply_to_twin)
        return
    sync_client, module_prefix = request.getfixturevalue("es_module")
    settings: Settings = request.getfixturevalue("stack_settings")
    prefix = f"{module_prefix}-{next(_counter)}"
    projections = (ProductsProjection(prefix), CartsProjection(prefix))
    for projection in projections:
        projection.ensure_index(sync_client)
    client = create_client(settings.elasticsearch_url, ELASTICSEARCH_TIMEOUT)

    async def apply_to_indices(events: Sequence[EventEnvelope]) -> None:
        for projection in projections:
            await asyncio.to_thread(projection.project, sync_client, events)
            await client.indices.refresh(index=projection.alias)

    try:
        yield Shop(ElasticsearchCartViews(client, prefix, "EUR"), apply_to_indices)
    finally:
        await client.close()


# The contract -------------------------------------------------------------------------------


async def test_an_unknown_customer_has_an_empty_cart_with_zero_totals(shop: Shop) -> None:
    await shop.stocked_product("Stainless steel kettle", 2999, on_hand=5)

    cart = await shop.cart_of(uuid.uuid4())

    assert cart.items == []
    assert cart.promo_code is None
    assert totals_of(cart) == (0, 0, 0)
    assert cart.total.currency == "EUR"


async def test_lines_are_priced_from_the_current_catalogue_with_name_and_image(
    shop: Shop,
) -> None:
    kettle, kettle_sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=5)
    pan, pan_sku = await shop.stocked_product("Cast iron pan", 4500, on_hand=5)
    cart = a_cart()
    cart.set_item(kettle_sku, kettle.id, 2)
    cart.set_item(pan_sku, pan.id, 1)
    await shop.apply(events_of(cart))

    priced = await shop.cart_of(cart.customer_id)

    assert lines_of(priced) == [(kettle_sku, 2, 2999, 5998, True), (pan_sku, 1, 4500, 4500, True)]
    first = priced.items[0]
    assert (first.name, first.image, first.product_id) == (
        "Stainless steel kettle",
        "https://img.example/p.jpg",
        kettle.id,
    )
    assert totals_of(priced) == (10498, 0, 10498)


async def test_a_repriced_variant_reprices_the_lines_already_in_the_cart(shop: Shop) -> None:
    kettle, sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=5)
    cart = a_cart()
    cart.set_item(sku, kettle.id, 3)
    await shop.apply(events_of(cart))

    kettle.reprice_variant(sku, eur(1999), "EUR")
    await shop.apply(changes(kettle))
    priced = await shop.cart_of(cart.customer_id)

    assert lines_of(priced) == [(sku, 3, 1999, 5997, True)]
    assert totals_of(priced) == (5997, 0, 5997)


async def test_an_archived_products_line_is_shown_unavailable_and_not_counted(
    shop: Shop,
) -> None:
    kettle, kettle_sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=5)
    pan, pan_sku = await shop.stocked_product("Cast iron pan", 4500, on_hand=5)
    cart = a_cart()
    cart.set_item(kettle_sku, kettle.id, 1)
    cart.set_item(pan_sku, pan.id, 2)
    await shop.apply(events_of(cart))

    kettle.archive(NOW)
    await shop.apply(changes(kettle))
    priced = await shop.cart_of(cart.customer_id)

    assert lines_of(priced) == [(kettle_sku, 1, 2999, 2999, False), (pan_sku, 2, 4500, 9000, True)]
    assert priced.items[0].name == "Stainless steel kettle"
    assert totals_of(priced) == (9000, 0, 9000)


async def test_a_retired_variants_line_is_shown_unavailable(shop: Shop) -> None:
    kettle, first_sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=5)
    second_sku = f"SKU-{uuid.uuid4().hex[:10]}"
    kettle.add_variant(Variant(sku=second_sku, price=eur(3999), attributes={}), "EUR")
    _, counted = stock_of(kettle, second_sku, 5)
    kettle.retire_variant(first_sku)
    await shop.apply(changes(kettle) + counted)
    cart = a_cart()
    cart.set_item(first_sku, kettle.id, 1)
    cart.set_item(second_sku, kettle.id, 1)
    await shop.apply(events_of(cart))

    priced = await shop.cart_of(cart.customer_id)

    assert lines_of(priced) == [
        (first_sku, 1, 2999, 2999, False),
        (second_sku, 1, 3999, 3999, True),
    ]
    assert totals_of(priced) == (3999, 0, 3999)


async def test_a_line_whose_quantity_exceeds_the_stock_is_unavailable(shop: Shop) -> None:
    kettle, kettle_sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=2)
    pan, pan_sku = await shop.stocked_product("Cast iron pan", 4500, on_hand=2)
    cart = a_cart()
    cart.set_item(kettle_sku, kettle.id, 3)
    cart.set_item(pan_sku, pan.id, 2)
    await shop.apply(events_of(cart))

    priced = await shop.cart_of(cart.customer_id)

    assert lines_of(priced) == [(kettle_sku, 3, 2999, 8997, False), (pan_sku, 2, 4500, 9000, True)]
    assert totals_of(priced) == (9000, 0, 9000)


async def test_a_sku_without_any_stock_count_is_unavailable(shop: Shop) -> None:
    kettle, created = a_product("Stainless steel kettle", variants=[("KETTLE-1", 2999, {})])
    await shop.apply(created)
    cart = a_cart()
    cart.set_item("KETTLE-1", kettle.id, 1)
    await shop.apply(events_of(cart))

    priced = await shop.cart_of(cart.customer_id)

    assert lines_of(priced) == [("KETTLE-1", 1, 2999, 2999, False)]
    assert totals_of(priced) == (0, 0, 0)


async def test_a_line_the_catalogue_does_not_know_is_shown_unavailable_under_its_sku(
    shop: Shop,
) -> None:
    cart = a_cart()
    cart.set_item("GHOST-1", uuid.uuid4(), 2)
    await shop.apply(events_of(cart))

    priced = await shop.cart_of(cart.customer_id)

    assert lines_of(priced) == [("GHOST-1", 2, 0, 0, False)]
    assert priced.items[0].name == "GHOST-1"
    assert totals_of(priced) == (0, 0, 0)


async def test_duplicated_and_reordered_cart_events_leave_the_newest_lines(shop: Shop) -> None:
    kettle, kettle_sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=9)
    pan, pan_sku = await shop.stocked_product("Cast iron pan", 4500, on_hand=9)
    cart = a_cart()
    cart.set_item(kettle_sku, kettle.id, 1)
    cart.set_item(pan_sku, pan.id, 2)
    cart.set_item(kettle_sku, kettle.id, 3)
    first, second, third = events_of(cart)

    await shop.apply([third, first, third, second])
    await shop.apply([second, first])
    await shop.apply([first])
    priced = await shop.cart_of(cart.customer_id)

    assert lines_of(priced) == [(kettle_sku, 3, 2999, 8997, True), (pan_sku, 2, 4500, 9000, True)]
    assert totals_of(priced) == (17997, 0, 17997)


async def test_an_older_event_arriving_alone_after_a_newer_one_changes_nothing(
    shop: Shop,
) -> None:
    kettle, sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=9)
    cart = a_cart()
    cart.set_item(sku, kettle.id, 1)
    cart.set_item(sku, kettle.id, 4)
    older, newer = events_of(cart)

    await shop.apply([newer])
    await shop.apply([older])

    assert lines_of(await shop.cart_of(cart.customer_id)) == [(sku, 4, 2999, 11996, True)]


async def test_a_removed_line_is_gone_from_the_cart(shop: Shop) -> None:
    kettle, kettle_sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=9)
    pan, pan_sku = await shop.stocked_product("Cast iron pan", 4500, on_hand=9)
    cart = a_cart()
    cart.set_item(kettle_sku, kettle.id, 1)
    cart.set_item(pan_sku, pan.id, 1)
    cart.remove_item(kettle_sku)
    await shop.apply(events_of(cart))

    assert lines_of(await shop.cart_of(cart.customer_id)) == [(pan_sku, 1, 4500, 4500, True)]


async def test_an_emptied_cart_is_empty_even_when_older_events_come_again(shop: Shop) -> None:
    kettle, sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=9)
    cart = a_cart()
    cart.set_item(sku, kettle.id, 2)
    filled = events_of(cart)
    cart.empty()
    emptied = events_of(cart)

    await shop.apply(filled + emptied)
    await shop.apply(filled)
    priced = await shop.cart_of(cart.customer_id)

    assert priced.items == []
    assert totals_of(priced) == (0, 0, 0)


async def test_each_customer_sees_only_their_own_cart(shop: Shop) -> None:
    kettle, kettle_sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=9)
    pan, pan_sku = await shop.stocked_product("Cast iron pan", 4500, on_hand=9)
    alice, bob = a_cart(), a_cart()
    alice.set_item(kettle_sku, kettle.id, 1)
    bob.set_item(pan_sku, pan.id, 2)

    await shop.apply(events_of(alice) + events_of(bob))

    assert lines_of(await shop.cart_of(alice.customer_id)) == [(kettle_sku, 1, 2999, 2999, True)]
    assert lines_of(await shop.cart_of(bob.customer_id)) == [(pan_sku, 2, 4500, 9000, True)]


async def test_the_cart_keeps_the_code_of_its_newest_event(shop: Shop) -> None:
    kettle, sku = await shop.stocked_product("Stainless steel kettle", 2999, on_hand=9)
    cart = a_cart()
    cart.set_item(sku, kettle.id, 1)
    cart.apply_code("SUMMER10")
    applied = events_of(cart)
    await shop.apply(applied)
    entered = await shop.views.get_cart(cart.customer_id)
    cart.remove_code()
    removed = events_of(cart)

    await shop.apply(removed + applied)
    left = await shop.views.get_cart(cart.customer_id)

    assert entered.promo_code == "SUMMER10"
    assert left.promo_code is None
    assert [line.sku for line in left.lines] == [sku]


async def test_an_offer_names_the_category_and_brand_a_sale_picks_it_by(shop: Shop) -> None:
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    pan, created = a_product(
        "Cast iron pan", brand="Skillet Co", category="kitchen/pans", variants=[(sku, 4500, {})]
    )
    await shop.apply(created + stock_of(pan, sku, 3)[1])
    cart = a_cart()
    cart.set_item(sku, pan.id, 1)
    await shop.apply(events_of(cart))

    offer = (await shop.views.get_cart(cart.customer_id)).offers[sku]

    assert (offer.category, offer.brand) == ("kitchen/pans", "Skillet Co")


# Elasticsearch only -------------------------------------------------------------------------


@pytest.mark.integration
async def test_before_any_read_model_index_exists_a_cart_is_empty(
    stack_settings: Settings,
) -> None:
    client = create_client(stack_settings.elasticsearch_url, ELASTICSEARCH_TIMEOUT)
    try:
        views = ElasticsearchCartViews(client, f"test-missing-{uuid.uuid4().hex[:10]}", "EUR")
        contents = await views.get_cart(uuid.uuid4())
    finally:
        await client.close()

    assert contents.lines == []
    assert contents.promo_code is None


@pytest.mark.integration
async def test_without_a_products_index_every_line_is_shown_unavailable(
    es_module: tuple[Elasticsearch, str], stack_settings: Settings
) -> None:
    sync_client, module_prefix = es_module
    prefix = f"{module_prefix}-{next(_counter)}"
    carts = CartsProjection(prefix)
    carts.ensure_index(sync_client)
    cart = a_cart()
    cart.set_item("KETTLE-1", uuid.uuid4(), 2)
    carts.project(sync_client, events_of(cart))
    sync_client.indices.refresh(index=carts.alias)
    client = create_client(stack_settings.elasticsearch_url, ELASTICSEARCH_TIMEOUT)
    try:
        contents = await ElasticsearchCartViews(client, prefix, "EUR").get_cart(cart.customer_id)
    finally:
        await client.close()

    assert lines_of(price_cart(contents, PricingContext(at=NOW, currency="EUR"))) == [
        ("KETTLE-1", 2, 0, 0, False)
    ]


@pytest.mark.integration
async def test_ensuring_the_carts_index_again_keeps_its_documents(
    es_module: tuple[Elasticsearch, str],
) -> None:
    sync_client, module_prefix = es_module
    prefix = f"{module_prefix}-{next(_counter)}"
    carts = CartsProjection(prefix)
    carts.ensure_index(sync_client)
    cart = a_cart()
    cart.set_item("KETTLE-1", uuid.uuid4(), 2)
    carts.project(sync_client, events_of(cart))

    CartsProjection(prefix).ensure_index(sync_client)
    sync_client.indices.refresh(index=carts.alias)

    source = sync_client.get(index=carts.alias, id=str(cart.customer_id))
    assert source["_version"] == 1
    assert source["_source"]["customer_id"] == str(cart.customer_id)
    assert sync_client.indices.get_alias(name=carts.alias).body.keys() == {f"{carts.alias}-v1"}


async def test_an_unreachable_elasticsearch_is_elasticsearch_unavailable() -> None:
    client = create_client(f"http://127.0.0.1:{free_port()}", ELASTICSEARCH_TIMEOUT)
    try:
        with pytest.raises(DependencyUnavailableError, match=r"^elasticsearch"):
            await ElasticsearchCartViews(client, "test-unreachable", "EUR").get_cart(uuid.uuid4())
    finally:
        await client.close()
