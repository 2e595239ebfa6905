"""The product search contract, held by the in-memory twin and by Elasticsearch alike.

Both are fed the same events: the twin through its own `project`, Elasticsearch through the
real projection (`ProductsProjection.project`) into an index of a prefix of this session's own.
"""

from __future__ import annotations

import uuid

import msgspec
import pytest

from commerce.domain.catalog import Product, Variant
from commerce.ports.product_search import (
    SORTS,
    FacetValue,
    InvalidCursorError,
    PriceRange,
    ProductQuery,
    RatingBucket,
    Sort,
)
from projections.products.document import tiebreak
from tests.contract.conftest import Catalog
from tests.product_events import a_product, changes, days_later, stock_of
from tests.support import NOW, eur

# Full text ----------------------------------------------------------------------------------


async def test_a_word_typed_with_a_typo_still_finds_the_product(catalog: Catalog) -> None:
    await catalog.add(a_product("Stainless steel kettle"), a_product("Cast iron pan"))

    assert await catalog.names(q="kettel") == ["Stainless steel kettle"]
    assert await catalog.names(q="stainles") == ["Stainless steel kettle"]


async def test_accents_and_case_are_ignored_both_ways(catalog: Catalog) -> None:
    await catalog.add(a_product("Café Crème grinder"), a_product("Tea strainer"))

    assert await catalog.names(q="cafe creme") == ["Café Crème grinder"]
    assert await catalog.names(q="CAFÉ") == ["Café Crème grinder"]


async def test_singular_and_plural_find_each_other(catalog: Catalog) -> None:
    await catalog.add(a_product("Electric kettle"), a_product("Mixing bowls"))

    assert await catalog.names(q="kettles") == ["Electric kettle"]
    assert await catalog.names(q="bowl") == ["Mixing bowls"]


async def test_a_synonym_finds_the_product(catalog: Catalog) -> None:
    await catalog.add(a_product("Smart television 55 inch", category="electronics/tvs"))

    assert await catalog.names(q="tv") == ["Smart television 55 inch"]


async def test_every_word_of_the_query_must_match_somewhere(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Stainless steel kettle", brand="Acme", category="kitchen/kettles"),
        a_product("Copper kettle", brand="Forge", category="kitchen/kettles"),
    )

    assert await catalog.names(q="kettle steel") == ["Stainless steel kettle"]
    assert await catalog.names(q="forge kettle") == ["Copper kettle"]
    assert sorted(await catalog.names(q="a kettle for the kitchen")) == [
        "Copper kettle",
        "Stainless steel kettle",
    ]


async def test_a_match_in_the_name_ranks_above_one_in_the_description(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Tea towel set", description="Dries every kettle and cup.", created_at=NOW),
        a_product("Whistling kettle", description="Loud.", created_at=days_later(-3)),
    )

    assert await catalog.names(q="kettle") == ["Whistling kettle", "Tea towel set"]


async def test_an_exact_word_ranks_above_the_same_word_misspelt(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Blue kettel", created_at=NOW),
        a_product("Blue kettle", created_at=days_later(-3)),
    )

    assert await catalog.names(q="kettle") == ["Blue kettle", "Blue kettel"]
    assert await catalog.names(q="kettel") == ["Blue kettel", "Blue kettle"]


async def test_equal_relevance_falls_back_to_the_tiebreak(catalog: Catalog) -> None:
    products = await catalog.add(
        *(a_product(f"Kettle model {n}", created_at=days_later(n)) for n in range(5))
    )
    by_id = {str(product.id): product.details.name for product in products}

    ranked = sorted(by_id, key=tiebreak)
    assert await catalog.names(q="kettle") == [by_id[i] for i in ranked]


async def test_the_description_and_the_category_are_searched_too(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Thing one", description="A very quiet blender.", category="indoor/misc"),
        a_product("Thing two", description="Nothing here.", category="garden/hoses"),
    )

    assert await catalog.names(q="blender") == ["Thing one"]
    assert await catalog.names(q="hose") == ["Thing two"]


async def test_highlights_mark_the_matched_words_in_the_original_text(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Stainless steel Kettles", description="A kettle <b>with</b> a whistle.")
    )

    (item,) = (await catalog.find(q="kettel")).items

    assert item.highlight == {
        "name": "Stainless steel <em>Kettles</em>",
        "description": "A <em>kettle</em> &lt;b&gt;with&lt;/b&gt; a whistle.",
    }
    (browsed,) = (await catalog.find()).items
    assert browsed.highlight is None


# Filters ------------------------------------------------------------------------------------


async def test_a_category_matches_itself_and_everything_below_it(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Phone", category="electronics/phones"),
        a_product("Phone case", category="electronics/phones/cases"),
        a_product("Laptop", category="electronics/computers"),
        a_product("Kettle", category="kitchen/kettles"),
    )

    assert sorted(await catalog.names(categories=["electronics"])) == [
        "Laptop",
        "Phone",
        "Phone case",
    ]
    assert sorted(await catalog.names(categories=["electronics/phones"])) == ["Phone", "Phone case"]
    assert sorted(await catalog.names(categories=["electronics/phones", "kitchen"])) == [
        "Kettle",
        "Phone",
        "Phone case",
    ]
    assert await catalog.names(categories=["electro"]) == []


async def test_brand_and_attribute_filters_combine(catalog: Catalog) -> None:
    await catalog.add(
        a_product(
            "Red acme shirt",
            brand="Acme",
            variants=[("AS-R-M", 1000, {"color": "Red", "size": "M"})],
        ),
        a_product(
            "Blue acme shirt",
            brand="Acme",
            variants=[("AS-B-L", 1000, {"color": "blue", "size": "L"})],
        ),
        a_product("Red forge shirt", brand="Forge", variants=[("FS-R-L", 1000, {"color": "red"})]),
        a_product("Cotton acme shirt", brand="ACME", attributes={"material": "cotton"}),
    )

    assert sorted(await catalog.names(brands=["acme"])) == [
        "Blue acme shirt",
        "Cotton acme shirt",
        "Red acme shirt",
    ]
    assert await catalog.names(brands=["Acme"], attributes=[["color", "red"]]) == ["Red acme shirt"]
    assert sorted(await catalog.names(attributes=[["color", "red"], ["color", "blue"]])) == [
        "Blue acme shirt",
        "Red acme shirt",
        "Red forge shirt",
    ]
    assert await catalog.names(attributes=[["color", "red"], ["size", "L"]]) == []
    assert await catalog.names(attributes=[["Material", "Cotton"]]) == ["Cotton acme shirt"]
    assert sorted(await catalog.names(brands=["Forge", "nobody"])) == ["Red forge shirt"]


async def test_price_bounds_are_inclusive_on_the_lowest_live_variant_price(
    catalog: Catalog,
) -> None:
    cheap_and_dear, events = a_product(
        "Two sizes", variants=[("TS-S", 1500, {}), ("TS-L", 9000, {})]
    )
    await catalog.add(
        (cheap_and_dear, events),
        a_product("Ten euros", variants=[("TE-1", 1000, {})]),
        a_product("Twenty euros", variants=[("TW-1", 2000, {})]),
    )

    assert sorted(await catalog.names(price_min=1000, price_max=1500)) == [
        "Ten euros",
        "Two sizes",
    ]
    assert await catalog.names(price_min=1501) == ["Twenty euros"]
    assert sorted(await catalog.names(price_max=1000)) == ["Ten euros"]

    cheap_and_dear.retire_variant("TS-S")
    await catalog.apply(changes(cheap_and_dear))

    assert await catalog.names(price_min=8000) == ["Two sizes"]
    (item,) = (await catalog.find(price_min=8000)).items
    assert item.price == eur(9000)
    assert [variant.sku for variant in item.variants] == ["TS-L"]


async def test_in_stock_follows_the_stock_level_events(catalog: Catalog) -> None:
    kettle, kettle_events = a_product("Kettle", variants=[("K-1", 1000, {}), ("K-2", 1200, {})])
    _, pan_events = a_product("Pan", variants=[("P-1", 1000, {})])
    item, stock_events = stock_of(kettle, "K-2", on_hand=3)
    await catalog.apply([*kettle_events, *pan_events, *stock_events])

    assert await catalog.names(in_stock=True) == ["Kettle"]
    assert await catalog.names(in_stock=False) == ["Pan"]
    (found,) = (await catalog.find(in_stock=True)).items
    assert [(v.sku, v.in_stock) for v in found.variants] == [("K-1", False), ("K-2", True)]

    item.set_counted(0)
    await catalog.apply(changes(item))

    assert await catalog.names(in_stock=True) == []
    assert await catalog.names(on_sale=True) == []
    assert sorted(await catalog.names(on_sale=False)) == ["Kettle", "Pan"]


async def test_a_retired_variants_stock_does_not_count(catalog: Catalog) -> None:
    kettle, events = a_product("Kettle", variants=[("K-1", 1000, {}), ("K-2", 1200, {})])
    _, stock_events = stock_of(kettle, "K-1", on_hand=5)
    await catalog.apply([*events, *stock_events])
    kettle.retire_variant("K-1")
    await catalog.apply(changes(kettle))

    assert await catalog.names(in_stock=True) == []


async def test_the_rating_filter_applies_to_the_average(catalog: Catalog) -> None:
    await catalog.add(a_product("Unrated kettle"))

    assert await catalog.names(rating_min=1) == []
    assert await catalog.names() == ["Unrated kettle"]


# Facets -------------------------------------------------------------------------------------


async def shirts(catalog: Catalog) -> None:
    await catalog.add(
        a_product(
            "Acme red shirt",
            brand="Acme",
            category="clothing/shirts",
            variants=[("A-1", 900, {"color": "red", "size": "M"})],
        ),
        a_product(
            "Acme blue shirt",
            brand="Acme",
            category="clothing/shirts",
            variants=[("A-2", 3000, {"color": "blue", "size": "L"})],
        ),
        a_product(
            "Forge red shirt",
            brand="Forge",
            category="clothing/shirts",
            variants=[("F-1", 3000, {"color": "red", "size": "L"})],
        ),
        a_product(
            "Forge red hat",
            brand="Forge",
            category="clothing/hats",
            variants=[("F-2", 60000, {"color": "red"})],
        ),
    )


async def test_without_filters_every_facet_counts_every_product(catalog: Catalog) -> None:
    await shirts(catalog)

    facets = (await catalog.find()).facets

    assert facets.brand == [FacetValue(value="Acme", count=2), FacetValue(value="Forge", count=2)]
    assert facets.category == [
        FacetValue(value="clothing", count=4),
        FacetValue(value="clothing/shirts", count=3),
        FacetValue(value="clothing/hats", count=1),
    ]
    assert facets.price == [
        PriceRange(from_=0, to=1000, count=1),
        PriceRange(from_=1000, to=2500, count=0),
        PriceRange(from_=2500, to=5000, count=2),
        PriceRange(from_=5000, to=10000, count=0),
        PriceRange(from_=10000, to=25000, count=0),
        PriceRange(from_=25000, to=50000, count=0),
        PriceRange(from_=50000, to=None, count=1),
    ]
    assert facets.rating == [RatingBucket(value=stars, count=0) for stars in (4, 3, 2, 1)]
    assert facets.attributes == {
        "color": [FacetValue(value="red", count=3), FacetValue(value="blue", count=1)],
        "size": [FacetValue(value="l", count=2), FacetValue(value="m", count=1)],
    }


async def test_facets_are_disjunctive_each_ignores_only_its_own_filter(catalog: Catalog) -> None:
    await shirts(catalog)

    result = await catalog.find(brands=["Acme"], attributes=[["color", "red"]])

    assert [item.name for item in result.items] == ["Acme red shirt"]
    assert result.total.value == 1
    # Brands counted with the colour filter only: both brands sell red.
    assert result.facets.brand == [
        FacetValue(value="Forge", count=2),
        FacetValue(value="Acme", count=1),
    ]
    # Colours counted with the brand filter only: Acme sells red and blue.
    assert result.facets.attributes["color"] == [
        FacetValue(value="blue", count=1),
        FacetValue(value="red", count=1),
    ]
    # Other facets see both filters.
    assert result.facets.attributes["size"] == [FacetValue(value="m", count=1)]
    assert result.facets.category == [
        FacetValue(value="clothing", count=1),
        FacetValue(value="clothing/shirts", count=1),
    ]
    assert sum(bucket.count for bucket in result.facets.price) == 1


async def test_the_price_and_category_facets_ignore_their_own_filters(catalog: Catalog) -> None:
    await shirts(catalog)

    result = await catalog.find(price_max=1000, categories=["clothing/hats"])

    assert result.items == []
    assert [(b.from_, b.count) for b in result.facets.price if b.count] == [(50000, 1)]
    assert result.facets.category == [
        FacetValue(value="clothing", count=1),
        FacetValue(value="clothing/shirts", count=1),
    ]
    assert result.facets.brand == []


# Sorting and paging -------------------------------------------------------------------------


async def priced_products(catalog: Catalog) -> list[Product]:
    return await catalog.add(
        *(
            a_product(
                f"Kettle {name}",
                variants=[(f"KP-{name}", price, {})],
                created_at=days_later(day),
            )
            for name, price, day in [
                ("alpha", 3000, 1),
                ("bravo", 1000, 5),
                ("charlie", 2000, 3),
                ("delta", 2000, 2),
                ("echo", 5000, 4),
                ("foxtrot", 1000, 6),
                ("golf", 4000, 0),
            ]
        )
    )


async def test_each_sort_orders_as_documented_with_the_product_tiebreak_breaking_ties(
    catalog: Catalog,
) -> None:
    products = await priced_products(catalog)
    by_id = {str(p.id): p.details.name for p in products}
    ids = sorted(by_id, key=tiebreak)
    price = {p.details.name: p.variants[0].price.amount for p in products}
    created = {p.details.name: p.created_at for p in products}

    newest = sorted(by_id.values(), key=lambda n: created[n], reverse=True)
    assert await catalog.names() == newest
    assert await catalog.names(sort="newest") == newest
    assert await catalog.names(sort="relevance") == newest  # no words to rank by
    cheapest = sorted(ids, key=lambda i: (price[by_id[i]], tiebreak(i)))
    assert await catalog.names(sort="price_asc") == [by_id[i] for i in cheapest]
    dearest = sorted(ids, key=lambda i: (-price[by_id[i]], tiebreak(i)))
    assert await catalog.names(sort="price_desc") == [by_id[i] for i in dearest]
    # Nobody has rated or bought anything yet: the tiebreak decides.
    assert await catalog.names(sort="rating") == [by_id[i] for i in ids]
    assert await catalog.names(sort="best_selling") == [by_id[i] for i in ids]


async def test_relevance_is_the_default_with_words(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Kettle", created_at=days_later(-1)),
        a_product("Kettle descaler", description="For any kettle.", created_at=days_later(1)),
        a_product("Teapot", description="Pairs with a kettle.", created_at=days_later(2)),
    )

    assert (await catalog.names(q="kettle"))[-1] == "Teapot"


@pytest.mark.parametrize("sort", SORTS)
async def test_a_cursor_pages_through_every_result_once(catalog: Catalog, sort: Sort) -> None:
    await priced_products(catalog)
    query = {"q": "kettle"} if sort == "relevance" else {}
    everything = await catalog.names(sort=sort, limit=100, **query)

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await catalog.find(sort=sort, limit=2, cursor=cursor, **query)
        assert page.total.value == 7
        seen += [item.name for item in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == everything
    assert len(set(seen)) == 7
    assert pages == 4


async def test_the_last_full_page_has_no_next_cursor(catalog: Catalog) -> None:
    await priced_products(catalog)

    page = await catalog.find(limit=7)

    assert len(page.items) == 7
    assert page.next_cursor is None


async def test_a_foreign_or_garbled_cursor_is_refused(catalog: Catalog) -> None:
    await priced_products(catalog)
    cursor = (await catalog.find(sort="price_asc", limit=2)).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidCursorError):
        await catalog.find(sort="newest", cursor=cursor)
    for garbage in ["nope", "!!!", "WyJuZXdlc3QiXQ", cursor[:-3]]:
        with pytest.raises(InvalidCursorError):
            await catalog.find(sort="price_asc", cursor=garbage)


async def test_the_total_says_gte_beyond_the_counting_limit(catalog: Catalog) -> None:
    await priced_products(catalog)

    limited = await catalog.counting_up_to(5).search(ProductQuery(limit=2))
    exact = await catalog.counting_up_to(7).search(ProductQuery(limit=2))

    assert (limited.total.value, limited.total.relation) == (5, "gte")
    assert (exact.total.value, exact.total.relation) == (7, "eq")


# Suggestions --------------------------------------------------------------------------------


async def test_suggestions_complete_any_word_of_the_name_and_the_brand(catalog: Catalog) -> None:
    await catalog.add(
        a_product("Stainless steel kettle", brand="Acme"),
        a_product("Kitchen scale", brand="Weighty"),
    )

    assert [s.name for s in await catalog.search.suggest("kett")] == ["Stainless steel kettle"]
    assert [s.name for s in await catalog.search.suggest("steel ke")] == ["Stainless steel kettle"]
    assert [s.name for s in await catalog.search.suggest("WEIG")] == ["Kitchen scale"]
    assert sorted(s.name for s in await catalog.search.suggest("k")) == [
        "Kitchen scale",
        "Stainless steel kettle",
    ]
    assert await catalog.search.suggest("   ") == []


async def test_suggestions_forgive_a_typo(catalog: Catalog) -> None:
    product, events = a_product("Stainless steel kettle", brand="Acme")
    await catalog.apply(events)

    (suggestion,) = await catalog.search.suggest("ketl")
    assert (suggestion.id, suggestion.brand, suggestion.image) == (
        product.id,
        "Acme",
        "https://img.example/p.jpg",
    )
    assert [s.name for s in await catalog.search.suggest("stainles stel")] == [
        "Stainless steel kettle"
    ]


async def test_at_most_eight_suggestions(catalog: Catalog) -> None:
    await catalog.add(*(a_product(f"Kettle number {n}") for n in range(10)))

    assert len(await catalog.search.suggest("kettle")) == 8


# Detail, archive, partial and repeated events -----------------------------------------------


async def test_the_detail_has_variants_stock_and_the_effective_price(catalog: Catalog) -> None:
    kettle, events = a_product(
        "Kettle",
        variants=[("K-1", 2500, {"color": "red"}), ("K-2", 2000, {"color": "blue"})],
        attributes={"material": "steel"},
    )
    _, stock_events = stock_of(kettle, "K-1", on_hand=2)
    await catalog.apply([*events, *stock_events])

    view = await catalog.search.get(kettle.id)

    assert view is not None
    assert (view.name, view.brand, view.category) == ("Kettle", "Acme", "home/goods")
    assert (view.price, view.sale_price, view.on_sale, view.in_stock) == (
        eur(2000),
        None,
        False,
        True,
    )
    assert [(v.sku, v.price, v.attributes, v.in_stock) for v in view.variants] == [
        ("K-1", eur(2500), {"color": "red"}, True),
        ("K-2", eur(2000), {"color": "blue"}, False),
    ]
    assert (view.rating.average, view.rating.count) == (0, 0)
    assert (view.attributes, view.created_at) == ({"material": "steel"}, NOW)
    assert await catalog.search.get(uuid.uuid4()) is None


async def test_the_detail_shows_the_catalogue_version_it_was_built_from(
    catalog: Catalog,
) -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {})])
    kettle.reprice_variant("K-1", eur(1500), "EUR")
    kettle.change_details(msgspec.structs.replace(kettle.details, name="Quiet kettle"))
    _, stock_events = stock_of(kettle, "K-1", on_hand=3)  # stock is not the catalogue's

    await catalog.apply(created)
    first = await catalog.search.get(kettle.id)
    await catalog.apply([*changes(kettle), *stock_events])
    now = await catalog.search.get(kettle.id)

    assert first is not None
    assert now is not None
    assert (first.version, now.version) == (1, kettle.version) == (1, 3)


async def test_an_archived_product_disappears_from_search_detail_and_suggestions(
    catalog: Catalog,
) -> None:
    kettle, events = a_product("Whistling kettle")
    await catalog.add((kettle, events), a_product("Electric kettle"))
    kettle.archive(NOW)
    await catalog.apply(changes(kettle))

    assert await catalog.names(q="kettle") == ["Electric kettle"]
    assert await catalog.search.get(kettle.id) is None
    assert [s.name for s in await catalog.search.suggest("whist")] == []
    assert [s.name for s in await catalog.search.suggest("kettle")] == ["Electric kettle"]
    brands = (await catalog.find()).facets.brand
    assert brands == [FacetValue(value="Acme", count=1)]


async def test_a_late_old_event_cannot_bring_an_archived_product_back(catalog: Catalog) -> None:
    kettle, created = a_product("Kettle")
    kettle.reprice_variant(kettle.variants[0].sku, eur(1234), "EUR")
    repriced = changes(kettle)
    kettle.archive(NOW)
    archived = changes(kettle)

    await catalog.apply([*created, *archived])
    await catalog.apply(repriced)
    await catalog.apply(created)

    assert await catalog.search.get(kettle.id) is None
    assert await catalog.names() == []


async def test_stock_arriving_before_its_product_is_kept_until_the_product_arrives(
    catalog: Catalog,
) -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {})])
    _, stock_events = stock_of(kettle, "K-1", on_hand=4)

    await catalog.apply(stock_events)

    assert await catalog.names() == []
    assert await catalog.search.get(kettle.id) is None
    assert await catalog.search.suggest("kettle") == []

    await catalog.apply(created)

    assert await catalog.names(in_stock=True) == ["Kettle"]


async def test_applying_the_same_batch_twice_changes_nothing(catalog: Catalog) -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {})])
    kettle.add_variant(Variant(sku="K-2", price=eur(800), attributes={"color": "red"}), "EUR")
    kettle.reprice_variant("K-1", eur(700), "EUR")
    _, stock_events = stock_of(kettle, "K-2", on_hand=1)
    batch = [*created, *changes(kettle), *stock_events]

    await catalog.apply(batch)
    once = await catalog.search.get(kettle.id)
    await catalog.apply(batch)

    assert await catalog.search.get(kettle.id) == once
    assert once is not None
    assert (once.price, once.in_stock, len(once.variants)) == (eur(700), True, 2)


async def test_a_newer_event_then_an_older_one_keeps_the_newer_value(catalog: Catalog) -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {})])
    kettle.reprice_variant("K-1", eur(1500), "EUR")
    older = changes(kettle)
    kettle.reprice_variant("K-1", eur(2500), "EUR")
    newer = changes(kettle)
    item, stock_events = stock_of(kettle, "K-1", on_hand=3)
    item.set_counted(0)
    newer_stock = changes(item)

    await catalog.apply([*created, *newer, *newer_stock])
    await catalog.apply([*older, *stock_events])

    view = await catalog.search.get(kettle.id)
    assert view is not None
    assert (view.price, view.in_stock) == (eur(2500), False)


async def test_events_in_reverse_order_build_the_same_product(catalog: Catalog) -> None:
    kettle, created = a_product("Kettle", variants=[("K-1", 1000, {"color": "red"})])
    kettle.add_variant(Variant(sku="K-2", price=eur(800), attributes={"color": "blue"}), "EUR")
    kettle.reprice_variant("K-2", eur(900), "EUR")
    kettle.retire_variant("K-1")
    kettle.change_details(msgspec.structs.replace(kettle.details, name="Quiet kettle"))
    history = [*created, *changes(kettle)]

    for event in reversed(history):
        await catalog.apply([event])

    view = await catalog.search.get(kettle.id)
    assert view is not None
    assert (view.name, view.price) == ("Quiet kettle", eur(900))
    assert [(v.sku, v.attributes) for v in view.variants] == [("K-2", {"color": "blue"})]
    assert await catalog.names(q="quiet", attributes=[["color", "blue"]]) == ["Quiet kettle"]
    assert await catalog.names(attributes=[["color", "red"]]) == []
