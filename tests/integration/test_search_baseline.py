"""The PostgreSQL baseline of `bench/search.py` must ask PostgreSQL for what the service asks
Elasticsearch, or its figures compare nothing: on the same documents it answers browsing,
filtering, facets and cursors exactly as the product search does, and finds words through
typos, synonyms, stems and accents, with highlights, and suggestions from a typed prefix."""

import random
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import msgspec
import pytest

from commerce.adapters.envelopes import envelopes_for
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.product_search import InMemoryProductSearch
from commerce.domain.events import EventEnvelope
from commerce.entrypoints.seed import generate_products
from commerce.ports.product_search import ProductQuery, ProductSearch, SearchResult
from projections.products.document import ProductState, document, merge
from projections.products.projector import changes_by_product
from tests.bench_modules import bench_module
from tests.databases import fresh_database
from tests.product_events import a_product

baseline_tables = bench_module("baseline_tables")
baseline_search = bench_module("baseline_search")
search_mix = bench_module("search_mix")


class TickingClock(FixedClock):
    """A second later at every reading: products made one after the other sort as such."""

    def now(self):  # type: ignore[no-untyped-def]
        self.advance(timedelta(seconds=1))
        return self.current


@dataclass
class Searches:
    service: InMemoryProductSearch
    baseline: ProductSearch


def generated_catalogue(count: int) -> list[EventEnvelope]:
    clock = TickingClock()
    events: list[EventEnvelope] = []
    for product, stock in generate_products(
        count, "EUR", clock, seed=7, image_base_url="http://shop.local"
    ):
        events += envelopes_for(product, clock.current)
        for item in stock:
            events += envelopes_for(item, clock.current)
    return events


async def _pages(docs: list[dict[str, Any]]) -> AsyncIterator[list[dict[str, Any]]]:
    for start in range(0, len(docs), 100):
        yield docs[start : start + 100]


@pytest.fixture
async def searches(stack_settings) -> AsyncIterator[Any]:  # type: ignore[no-untyped-def]
    """Each test's own database, holding the baseline built from the given events' documents,
    beside the service's search (its in-memory twin) fed the same events."""
    opened: list[asyncpg.Pool] = []
    with fresh_database(stack_settings) as url:
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")

        async def over(events: Iterable[EventEnvelope]) -> Searches:
            events = list(events)
            service = InMemoryProductSearch()
            service.project(events)
            docs = [
                document(merge(ProductState(product_id=pid), change))
                for pid, change in changes_by_product(events).items()
            ]
            connection = await asyncpg.connect(dsn)
            try:
                await baseline_tables.build_baseline(connection, _pages(docs))
            finally:
                await connection.close()
            pool = await baseline_search.connect_pool(dsn, 2)
            opened.append(pool)
            return Searches(service, baseline_search.PostgresBaselineSearch(pool))

        yield over
        for pool in opened:
            await pool.close()


def answer(result: SearchResult) -> dict[str, Any]:
    return msgspec.to_builtins(result)


async def test_browsing_filtering_facets_and_cursors_answer_exactly_as_the_product_search(
    searches: Any,
) -> None:
    both = await searches(generated_catalogue(200))
    rng = random.Random(3)

    for kind in ("filtered", "faceted_browse", "sorted", "deep_pages"):
        for _ in range(4):
            query = search_mix.to_query(search_mix.query_of_kind(kind, rng))
            for _page in range(3):
                expected = await both.service.search(query)

                assert answer(await both.baseline.search(query)) == answer(expected), query
                if expected.next_cursor is None:
                    break
                query = msgspec.structs.replace(query, cursor=expected.next_cursor)


async def test_full_text_queries_of_the_mix_find_the_products_the_product_search_finds(
    searches: Any,
) -> None:
    both = await searches(generated_catalogue(200))
    rng = random.Random(4)

    for kind in ("full_text", "full_text_typo"):
        for _ in range(8):
            query = search_mix.to_query(search_mix.query_of_kind(kind, rng))
            expected = await both.service.search(msgspec.structs.replace(query, limit=100))
            found = await both.baseline.search(msgspec.structs.replace(query, limit=100))

            assert found.total == expected.total, query
            assert {i.id for i in found.items} == {i.id for i in expected.items}, query
            assert answer(found.facets) == answer(expected.facets), query


async def test_a_filter_on_a_facet_leaves_that_facets_other_values_counted(
    searches: Any,
) -> None:
    both = await searches(generated_catalogue(300))
    query = ProductQuery(brands=("Sony",), categories=("electronics",), price_max=20_000)

    found = await both.baseline.search(query)

    assert answer(found) == answer(await both.service.search(query))
    assert {value.value for value in found.facets.brand} >= {"Sony", "Bose", "JBL"}


async def test_words_are_found_through_typos_synonyms_stems_and_accents_with_highlights(
    searches: Any,
) -> None:
    catalogue = [
        a_product("Stainless steel kettle", brand="Acme", category="kitchen/kettles"),
        a_product("Café Crème grinder", brand="Forge", category="kitchen/coffee"),
        a_product("Unlocked smartphone", brand="Vista", category="electronics/phones"),
        a_product("Cast iron pan", brand="Forge", category="kitchen/pans"),
    ]
    both = await searches(event for _, events in catalogue for event in events)

    for words, expected in [
        ("kettel", ["Stainless steel kettle"]),
        ("stainles steel", ["Stainless steel kettle"]),
        ("kettles", ["Stainless steel kettle"]),
        ("cafe creme", ["Café Crème grinder"]),
        ("mobile", ["Unlocked smartphone"]),
    ]:
        found = await both.baseline.search(ProductQuery(q=words))

        assert sorted(item.name for item in found.items) == expected, words
        assert found.total.value == len(expected)
        assert all(item.highlight for item in found.items), words
    by_brand = await both.baseline.search(ProductQuery(q="forge"))
    assert sorted(item.name for item in by_brand.items) == ["Café Crème grinder", "Cast iron pan"]
    kettle = (await both.baseline.search(ProductQuery(q="kettel"))).items[0]
    assert kettle.highlight == {"name": "Stainless steel <em>kettle</em>"}


async def test_suggestions_come_from_a_typed_prefix_even_with_a_typo(searches: Any) -> None:
    catalogue = [
        a_product("Stainless steel kettle", brand="Acme"),
        a_product("Cast iron pan", brand="Forge"),
    ]
    both = await searches(event for _, events in catalogue for event in events)

    assert [s.name for s in await both.baseline.suggest("stainl")] == ["Stainless steel kettle"]
    assert [s.name for s in await both.baseline.suggest("Forg")] == ["Cast iron pan"]
    assert [s.name for s in await both.baseline.suggest("stainlss")] == ["Stainless steel kettle"]
    assert await both.baseline.suggest("zzz") == []
