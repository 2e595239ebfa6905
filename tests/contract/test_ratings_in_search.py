"""Ratings in search, held by the in-memory twin and by Elasticsearch alike: the products read
model follows `ProductRatingChanged` by the rating's own version, and the rating filter, sort
and facet, and relevance, use it."""

from __future__ import annotations

from commerce.ports.product_search import RatingBucket
from projections.products.document import tiebreak
from tests.contract.conftest import Catalog
from tests.product_events import a_product, rated


async def three_rated(catalog: Catalog) -> None:
    loved, events = a_product("Loved kettle")
    middling, more = a_product("Middling kettle")
    _, rest = a_product("Unrated kettle")
    _, loved_ratings = rated(loved, 5, 5, 4)
    _, middling_ratings = rated(middling, 3)
    await catalog.apply([*events, *more, *rest, *loved_ratings, *middling_ratings])


async def test_the_rating_filter_keeps_products_rated_at_least_that_on_average(
    catalog: Catalog,
) -> None:
    await three_rated(catalog)

    assert await catalog.names(rating_min=4) == ["Loved kettle"]
    assert sorted(await catalog.names(rating_min=3)) == ["Loved kettle", "Middling kettle"]


async def test_the_rating_sort_puts_the_best_rated_first_and_the_unrated_last(
    catalog: Catalog,
) -> None:
    await three_rated(catalog)

    assert await catalog.names(sort="rating") == [
        "Loved kettle",
        "Middling kettle",
        "Unrated kettle",
    ]
    found = (await catalog.find(sort="rating")).items[0]
    assert (found.rating.average, found.rating.count) == (4.67, 3)


async def test_the_rating_facet_counts_products_at_or_above_each_star_count(
    catalog: Catalog,
) -> None:
    await three_rated(catalog)

    facets = (await catalog.find(rating_min=4)).facets

    assert facets.rating == [
        RatingBucket(value=4, count=1),
        RatingBucket(value=3, count=2),
        RatingBucket(value=2, count=2),
        RatingBucket(value=1, count=2),
    ]


async def test_a_rating_delivered_twice_or_late_never_undoes_a_newer_one(
    catalog: Catalog,
) -> None:
    kettle, created = a_product("Kettle")
    _, ratings = rated(kettle, 5, 1, 1)
    await catalog.apply([*created, *ratings])

    await catalog.apply([ratings[1], ratings[0]])
    await catalog.apply(ratings)

    found = (await catalog.find()).items[0]
    assert (found.rating.average, found.rating.count) == (2.33, 3)


async def test_among_products_matching_alike_the_better_rated_ranks_first(
    catalog: Catalog,
) -> None:
    first, first_created = a_product("Zephyr kettle", brand="Acme")
    second, second_created = a_product("Zephyr kettle", brand="Acme")
    # The one a tie would put last (the greater tiebreak) gets the better reviews.
    better, worse = sorted((first, second), key=lambda p: tiebreak(str(p.id)), reverse=True)
    _, good = rated(better, 5, 5, 5, 4)
    _, poor = rated(worse, 2, 1)
    await catalog.apply([*first_created, *second_created, *good, *poor])

    ranked = (await catalog.find(q="zephyr")).items

    assert [item.id for item in ranked] == [better.id, worse.id]


async def test_a_rating_never_lifts_a_weaker_match_above_a_stronger_one(
    catalog: Catalog,
) -> None:
    in_name, named = a_product("Zephyr kettle", description="Boils water.")
    in_text, described = a_product("Tea maker", description="Our zephyr range.")
    _, poor = rated(in_name, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
    _, great = rated(in_text, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5)
    await catalog.apply([*named, *described, *poor, *great])

    assert await catalog.names(q="zephyr") == ["Zephyr kettle", "Tea maker"]


async def test_a_rating_never_lifts_a_misspelt_match_above_an_exact_one(
    catalog: Catalog,
) -> None:
    exact, spelt = a_product("Zephyr kettle")
    typo, misspelt = a_product("Zephir kettle")
    _, poor = rated(exact, *[1] * 20)
    _, great = rated(typo, *[5] * 20)
    await catalog.apply([*spelt, *misspelt, *poor, *great])

    assert await catalog.names(q="zephyr") == ["Zephyr kettle", "Zephir kettle"]
