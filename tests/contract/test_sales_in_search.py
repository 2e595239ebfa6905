"""Sales in search, held by the in-memory twin and by Elasticsearch alike: while the scheduler
has a sale started, the products it picks show their sale price, and the `on_sale` filter, the
price filters, the price sort and the price facet go by the price a shopper pays."""

from __future__ import annotations

from datetime import timedelta

from commerce.domain.catalog import ProductDetails
from commerce.domain.pricing import Discount, SaleTargets
from commerce.domain.values import Money
from tests.contract.conftest import Catalog
from tests.product_events import a_product, a_started_sale, changes
from tests.support import NOW, eur

KITCHEN = SaleTargets(categories=("kitchen",))


async def prices(catalog: Catalog, **query: object) -> list[tuple[str, int, int | None, bool]]:
    """(name, list price, sale price, on sale) of each product found."""
    return [
        (item.name, item.price.amount, item.sale_price and item.sale_price.amount, item.on_sale)
        for item in (await catalog.find(**query)).items
    ]


async def test_a_started_sale_shows_the_sale_price_on_the_products_it_picks(
    catalog: Catalog,
) -> None:
    kettle = a_product("Kettle", category="kitchen/kettles", variants=[("KT-1", 2000, {})])
    lamp = a_product("Lamp", category="home/lamps", variants=[("LP-1", 1500, {})])
    await catalog.add(kettle, lamp)
    _, started = a_started_sale(Discount(percent_off=15), KITCHEN)

    await catalog.apply(started)

    assert await prices(catalog, sort="price_asc") == [
        ("Lamp", 1500, None, False),
        ("Kettle", 2000, 1700, True),
    ]
    assert await prices(catalog, on_sale=True) == [("Kettle", 2000, 1700, True)]
    assert await prices(catalog, on_sale=False) == [("Lamp", 1500, None, False)]
    (variant,) = (await catalog.search.get(kettle[0].id)).variants  # type: ignore[union-attr]
    assert (variant.price, variant.sale_price) == (eur(2000), eur(1700))


async def test_price_filters_sorts_and_the_price_facet_use_the_sale_price(
    catalog: Catalog,
) -> None:
    await catalog.add(
        a_product("Kettle", category="kitchen/kettles", variants=[("KT-1", 3000, {})]),
        a_product("Lamp", category="home/lamps", variants=[("LP-1", 2000, {})]),
    )
    await catalog.apply(a_started_sale(Discount(amount_off=eur(2500)), KITCHEN)[1])

    assert await catalog.names(sort="price_asc") == ["Kettle", "Lamp"]
    assert await catalog.names(price_max=999) == ["Kettle"]
    assert await catalog.names(price_min=1000) == ["Lamp"]
    facet = (await catalog.find()).facets.price
    assert [(bucket.from_, bucket.count) for bucket in facet if bucket.count] == [(0, 1), (1000, 1)]


async def test_where_sales_overlap_the_lowest_price_wins(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Kettle", brand="Acme", category="kitchen/k", variants=[("KT-1", 1000, {})])
    )

    await catalog.apply(a_started_sale(Discount(percent_off=10), KITCHEN)[1])
    await catalog.apply(
        a_started_sale(Discount(amount_off=eur(300)), SaleTargets(brands=("ACME",)))[1]
    )
    await catalog.apply(a_started_sale(Discount(percent_off=20), KITCHEN)[1])

    assert await prices(catalog) == [("Kettle", 1000, 700, True)]


async def test_an_ended_or_deleted_sale_restores_the_list_price(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Kettle", category="kitchen/k", variants=[("KT-1", 1000, {})]),
        a_product("Pan", category="kitchen/p", variants=[("PN-1", 800, {})]),
    )
    ending, started = a_started_sale(Discount(percent_off=50), KITCHEN)
    deleted, also_started = a_started_sale(Discount(percent_off=25), KITCHEN)
    await catalog.apply(started + also_started)

    ending.end_early(NOW + timedelta(hours=1))
    deleted.delete(NOW + timedelta(hours=1))
    await catalog.apply(changes(ending) + changes(deleted))

    assert await prices(catalog, sort="price_asc") == [
        ("Pan", 800, None, False),
        ("Kettle", 1000, None, False),
    ]
    assert await catalog.names(on_sale=True) == []


async def test_a_late_start_after_the_end_changes_nothing(catalog: Catalog) -> None:
    await catalog.add(a_product("Kettle", category="kitchen/k", variants=[("KT-1", 1000, {})]))
    sale, started = a_started_sale(Discount(percent_off=50), KITCHEN)
    sale.end_early(NOW + timedelta(hours=1))

    await catalog.apply(changes(sale))
    await catalog.apply(started)  # redelivered late

    assert await prices(catalog) == [("Kettle", 1000, None, False)]


async def test_a_product_created_or_moved_during_a_sale_follows_the_sale(
    catalog: Catalog,
) -> None:
    await catalog.apply(a_started_sale(Discount(percent_off=10), KITCHEN)[1])
    kettle, created = a_product("Kettle", category="kitchen/k", variants=[("KT-1", 1000, {})])
    lamp, lamp_created = a_product("Lamp", category="home/l", variants=[("LP-1", 1000, {})])
    await catalog.apply(created + lamp_created)
    assert await prices(catalog, sort="price_asc") == [
        ("Kettle", 1000, 900, True),
        ("Lamp", 1000, None, False),
    ]

    kettle.change_details(_moved(kettle.details, "home/k"))
    lamp.change_details(_moved(lamp.details, "kitchen/l"))
    await catalog.apply(changes(kettle) + changes(lamp))

    assert await prices(catalog, sort="price_asc") == [
        ("Lamp", 1000, 900, True),
        ("Kettle", 1000, None, False),
    ]


async def test_a_sale_on_named_products_picks_only_those(catalog: Catalog) -> None:
    kettle, created = a_product("Kettle", variants=[("KT-1", 1000, {})])
    await catalog.add((kettle, created), a_product("Lamp", variants=[("LP-1", 1000, {})]))

    named = SaleTargets(product_ids=frozenset({kettle.id}))
    await catalog.apply(a_started_sale(Discount(amount_off=Money(2000, "EUR")), named)[1])

    assert await prices(catalog, on_sale=True) == [("Kettle", 1000, 0, True)]


def _moved(details: ProductDetails, category: str) -> ProductDetails:
    return ProductDetails(
        name=details.name,
        description=details.description,
        brand=details.brand,
        category=category,
        images=details.images,
        attributes=details.attributes,
    )
