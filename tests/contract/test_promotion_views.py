"""The promotion views contract (staff's sales and promo codes), held by the in-memory twin and
by Elasticsearch alike.

Both are fed the same events: the twin through its own `apply`, Elasticsearch through the real
projection (`PromotionsProjection.project`) into an index of a prefix of this module's own.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from elasticsearch import AsyncElasticsearch, Elasticsearch

from commerce.adapters.elasticsearch.client import create_client
from commerce.adapters.elasticsearch.promotion_views import ElasticsearchPromotionViews
from commerce.adapters.memory.promotion_views import InMemoryPromotionViews
from commerce.domain.events import EventEnvelope
from commerce.domain.pricing import PromoCode, Sale, SaleStatus, SaleTargets
from commerce.domain.values import Money
from commerce.ports.health import DependencyUnavailableError
from commerce.ports.product_search import InvalidCursorError
from commerce.ports.promotion_views import (
    PromoCodePage,
    PromoCodeQuery,
    PromoCodeStatus,
    PromoCodeView,
    PromotionViews,
    SalePage,
    SaleQuery,
    SaleView,
)
from commerce.settings import Settings
from projections.promotions.document import code_doc_id, decode_state, state_of
from projections.promotions.projector import PromotionsProjection
from tests.pricing import a_code, percent
from tests.product_events import changes
from tests.support import ELASTICSEARCH_TIMEOUT, NOW, free_port

_counter = itertools.count()
HOUR = timedelta(hours=1)
ORDER = uuid.UUID("00000000-0000-4000-8000-0000000000aa")
ADA = uuid.UUID("00000000-0000-4000-8000-00000000000a")


@dataclass
class Promotions:
    views: PromotionViews
    apply: Callable[[Sequence[EventEnvelope]], Awaitable[None]]

    async def sales(self, at: datetime = NOW, **query: object) -> SalePage:
        return await self.views.list_sales(SaleQuery(now=at, **query))  # type: ignore[arg-type]

    async def codes(self, at: datetime = NOW, **query: object) -> PromoCodePage:
        return await self.views.list_codes(PromoCodeQuery(now=at, **query))  # type: ignore[arg-type]

    async def sale_names(self, at: datetime = NOW, **query: object) -> list[str]:
        return [sale.name for sale in (await self.sales(at, **query)).items]

    async def code_names(self, at: datetime = NOW, **query: object) -> list[str]:
        return [code.code for code in (await self.codes(at, **query)).items]


@pytest.fixture(scope="module")
def es_module(stack_settings: Settings) -> Iterator[tuple[Elasticsearch, str]]:
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    prefix = f"test-promotions-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture(params=["memory", "elasticsearch"])
async def promotions(request: pytest.FixtureRequest) -> AsyncIterator[Promotions]:
    if request.param == "memory":
        twin = InMemoryPromotionViews()

        async def apply_to_twin(events: Sequence[EventEnvelope]) -> None:
            twin.apply(events)

        yield Promotions(twin, apply_to_twin)
        return
    sync_client, module_prefix = request.getfixturevalue("es_module")
    settings: Settings = request.getfixturevalue("stack_settings")
    prefix = f"{module_prefix}-{next(_counter)}"
    projection = PromotionsProjection(prefix)
    projection.ensure_index(sync_client)
    client = create_client(settings.elasticsearch_url, ELASTICSEARCH_TIMEOUT)

    async def apply_to_index(events: Sequence[EventEnvelope]) -> None:
        try:
            await asyncio.to_thread(projection.project, sync_client, events)
        finally:
            await client.indices.refresh(index=projection.alias)

    try:
        yield Promotions(ElasticsearchPromotionViews(client, prefix), apply_to_index)
    finally:
        await client.close()
        for name in sync_client.indices.get(index=f"{projection.alias}-*"):
            sync_client.indices.delete(index=name)


def named_sale(
    name: str, starts: float = 0, ends: float = 24, created: float = 0
) -> tuple[Sale, list[EventEnvelope]]:
    """A sale from `starts` to `ends` hours after NOW, created `created` hours after NOW."""
    at = NOW + created * HOUR
    sale = Sale.create(
        sale_id=uuid.uuid4(),
        name=name,
        discount=percent(10),
        applies_to=SaleTargets(
            product_ids=frozenset({uuid.uuid4(), uuid.uuid4(), uuid.uuid4()}),
            categories=("kitchen",),
            brands=("Acme",),
        ),
        starts_at=NOW + starts * HOUR,
        ends_at=NOW + ends * HOUR,
        currency="EUR",
        now=at,
    )
    return sale, changes(sale, at)


def a_new_code(
    code: str, starts: float = 0, ends: float = 24, created: float = 0, **limits: int
) -> tuple[PromoCode, list[EventEnvelope]]:
    at = NOW + created * HOUR
    promo = a_code(
        percent(10),
        code=code,
        starts_at=NOW + starts * HOUR,
        ends_at=NOW + ends * HOUR,
        created_at=at,
        **limits,  # type: ignore[arg-type]
    )
    return promo, changes(promo, at)


def redeemed(promo: PromoCode, at: datetime = NOW) -> list[EventEnvelope]:
    promo.redeem(
        order_id=uuid.uuid4(),
        customer_id=ADA,
        subtotal=promo.terms.min_subtotal or _eur(10_000),
        customer_redemptions=0,
        now=at,
    )
    return changes(promo, at)


def _eur(amount: int) -> Money:
    return Money(amount, "EUR")


# Reads and lists ----------------------------------------------------------------------------


async def test_a_sale_and_a_code_read_back_as_their_commands_answered(
    promotions: Promotions,
) -> None:
    sale, sale_events = named_sale("Winter sale", starts=1)
    promo, code_events = a_new_code("WINTER10", max_redemptions=5, per_customer_limit=1)
    await promotions.apply([*sale_events, *code_events])

    assert await promotions.views.get_sale(sale.id, NOW) == SaleView.of(sale, NOW)
    assert await promotions.views.get_code("WINTER10", NOW) == PromoCodeView.of(promo, NOW)
    assert (await promotions.sales()).items == [SaleView.of(sale, NOW)]
    assert (await promotions.codes()).items == [PromoCodeView.of(promo, NOW)]
    assert await promotions.views.get_sale(uuid.uuid4(), NOW) is None
    assert await promotions.views.get_code("NOPE", NOW) is None


async def test_lists_are_newest_first_a_page_at_a_time_and_count_every_match(
    promotions: Promotions,
) -> None:
    sales = [named_sale(f"Sale {n}", created=n / 60) for n in range(5)]
    codes = [a_new_code(f"CODE{n}") for n in range(3)]  # the same instant: by code
    await promotions.apply([event for _, events in [*sales, *codes] for event in events])

    first = await promotions.sales(limit=2)
    second = await promotions.sales(limit=2, cursor=first.next_cursor)
    third = await promotions.sales(limit=2, cursor=second.next_cursor)
    code_page = await promotions.codes(limit=2)
    code_rest = await promotions.codes(limit=2, cursor=code_page.next_cursor)

    names = [s.name for page in (first, second, third) for s in page.items]
    assert names == [f"Sale {n}" for n in (4, 3, 2, 1, 0)]
    assert (first.total.value, first.total.relation, third.next_cursor) == (5, "eq", None)
    assert [c.code for c in [*code_page.items, *code_rest.items]] == ["CODE2", "CODE1", "CODE0"]
    assert code_page.total.value == 3


async def test_a_forged_cursor_or_one_of_the_other_list_is_refused(
    promotions: Promotions,
) -> None:
    await promotions.apply([e for n in range(3) for e in named_sale(f"S{n}", created=n)[1]])
    await promotions.apply([e for n in range(3) for e in a_new_code(f"CODE{n}")[1]])
    sales_cursor = (await promotions.sales(limit=1)).next_cursor
    codes_cursor = (await promotions.codes(limit=1)).next_cursor
    assert sales_cursor is not None
    assert codes_cursor is not None

    for garbage in ["nope", "!!!", sales_cursor[:-3], codes_cursor]:
        with pytest.raises(InvalidCursorError):
            await promotions.sales(cursor=garbage)
    with pytest.raises(InvalidCursorError):
        await promotions.codes(cursor=sales_cursor)


async def test_a_deleted_sale_is_neither_listed_nor_read(promotions: Promotions) -> None:
    _kept, kept_events = named_sale("Kept")
    gone, gone_events = named_sale("Gone")
    gone.delete(NOW)
    await promotions.apply([*kept_events, *gone_events, *changes(gone)])

    assert await promotions.sale_names() == ["Kept"]
    assert (await promotions.sales()).total.value == 1
    assert await promotions.views.get_sale(gone.id, NOW) is None


# Status at the instant asked ----------------------------------------------------------------


async def test_a_sales_status_is_the_one_at_the_instant_asked_and_filters_the_list(
    promotions: Promotions,
) -> None:
    await promotions.apply(
        [
            *named_sale("Running", starts=0, ends=2)[1],
            *named_sale("Later", starts=1, ends=5)[1],
            *named_sale("Shortest", starts=0, ends=1)[1],
        ]
    )
    an_hour_on = NOW + HOUR

    now_shown = {s.name: s.status for s in (await promotions.sales()).items}
    later_shown = {s.name: s.status for s in (await promotions.sales(an_hour_on)).items}
    assert now_shown == {"Running": "active", "Later": "scheduled", "Shortest": "active"}
    assert later_shown == {"Running": "active", "Later": "active", "Shortest": "ended"}
    assert await promotions.sale_names(statuses=[SaleStatus.SCHEDULED]) == ["Later"]
    assert await promotions.sale_names(an_hour_on, statuses=[SaleStatus.ENDED]) == ["Shortest"]
    both = await promotions.sale_names(an_hour_on, statuses=[SaleStatus.ENDED, "scheduled"])
    assert both == ["Shortest"]
    assert await promotions.sale_names(statuses=[SaleStatus.DELETED]) == []
    # An instant exactly at the end: ended, as carts and checkout price it.
    assert await promotions.sale_names(NOW + 2 * HOUR, statuses=["active"]) == ["Later"]


async def test_a_codes_status_is_the_one_at_the_instant_asked_and_filters_the_list(
    promotions: Promotions,
) -> None:
    disabled, disabled_events = a_new_code("DISABLED")
    disabled.disable(NOW)
    used_up, used_up_events = a_new_code("USEDUP", max_redemptions=1)
    await promotions.apply(
        [
            *a_new_code("ACTIVE", max_redemptions=2)[1],
            *a_new_code("LATER", starts=1)[1],
            *a_new_code("SHORT", ends=1)[1],
            *disabled_events,
            *changes(disabled),
            *used_up_events,
            *redeemed(used_up),
        ]
    )

    shown = {c.code: c.status for c in (await promotions.codes()).items}
    assert shown == {
        "ACTIVE": "active",
        "LATER": "not_started",
        "SHORT": "active",
        "DISABLED": "disabled",
        "USEDUP": "exhausted",
    }
    for status in PromoCodeStatus:
        expected = sorted(code for code, shown_as in shown.items() if shown_as == status)
        assert sorted(await promotions.code_names(statuses=[status])) == expected, status
    assert sorted(await promotions.code_names(NOW + HOUR, statuses=["expired", "disabled"])) == [
        "DISABLED",
        "SHORT",
    ]


# Redelivery ---------------------------------------------------------------------------------


async def test_redemptions_counted_follow_the_newest_event_whatever_the_delivery_order(
    promotions: Promotions,
) -> None:
    promo, created = a_new_code("COUNTED", max_redemptions=3)
    uses = [*redeemed(promo), *redeemed(promo)]
    promo.give_back(order_id=ORDER, customer_id=ADA, now=NOW)
    returned = changes(promo)
    promo.disable(NOW)
    disabled = changes(promo)

    await promotions.apply([*returned, *uses])  # before the code itself
    await promotions.apply([*disabled, *created])
    await promotions.apply([*created, *uses, *returned, *disabled])  # all redelivered
    await promotions.apply(uses[:1])

    view = await promotions.views.get_code("COUNTED", NOW)
    assert view == PromoCodeView.of(promo, NOW)
    assert view is not None
    assert (view.redeemed, view.status, view.version) == (1, "disabled", 5)


async def test_a_sale_ended_early_stays_ended_when_older_events_come_again(
    promotions: Promotions,
) -> None:
    sale, created = named_sale("Early")
    sale.catch_up(NOW)
    started = changes(sale)
    sale.end_early(NOW + HOUR)
    ended = changes(sale, NOW + HOUR)

    await promotions.apply([*ended, *started])
    assert await promotions.views.get_sale(sale.id, NOW) is None  # not created yet
    await promotions.apply([*created, *started, *created])

    view = await promotions.views.get_sale(sale.id, NOW + 2 * HOUR)
    assert view == SaleView.of(sale, NOW + 2 * HOUR)
    assert view is not None
    assert (view.status, view.ended_early) == ("ended", True)
    assert view.ends_at == NOW + HOUR


async def test_an_unreachable_cluster_is_elasticsearch_unavailable() -> None:
    client = AsyncElasticsearch(f"http://127.0.0.1:{free_port()}", max_retries=0)
    views = ElasticsearchPromotionViews(client, "test-unreachable")
    try:
        for read in (
            views.list_sales(SaleQuery(now=NOW)),
            views.list_codes(PromoCodeQuery(now=NOW)),
            views.get_sale(uuid.uuid4(), NOW),
            views.get_code("CODE", NOW),
        ):
            with pytest.raises(DependencyUnavailableError, match=r"^elasticsearch"):
                await read
    finally:
        await client.close()


async def test_before_any_event_the_lists_are_empty(stack_settings: Settings) -> None:
    client = create_client(stack_settings.elasticsearch_url, ELASTICSEARCH_TIMEOUT)
    views = ElasticsearchPromotionViews(client, f"test-none-{uuid.uuid4().hex[:8]}")
    try:
        assert (await views.list_sales(SaleQuery(now=NOW))).items == []
        assert (await views.list_codes(PromoCodeQuery(now=NOW))).total.value == 0
        assert await views.get_code("CODE", NOW) is None
    finally:
        await client.close()


def test_workers_applying_one_codes_events_at_once_converge_on_the_newest_count(
    es_module: tuple[Elasticsearch, str],
) -> None:
    sync_client, module_prefix = es_module
    projection = PromotionsProjection(f"{module_prefix}-concurrent")
    projection.ensure_index(sync_client)
    promo, created = a_new_code("RACED", max_redemptions=100)
    projection.project(sync_client, created)
    # Newest first: a late older batch is what would overwrite a newer count.
    batches = [redeemed(promo) for _ in range(60)][::-1]

    with ThreadPoolExecutor(max_workers=8) as workers:
        list(workers.map(lambda batch: projection.project(sync_client, batch), batches))

    found = sync_client.get(index=projection.alias, id=code_doc_id("RACED"))
    state = decode_state(found["_source"]["state"])
    assert state == state_of(promo)
    assert (state.version, found["_source"]["remaining"]) == (61, 40)
