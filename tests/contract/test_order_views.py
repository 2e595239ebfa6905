"""The order views contract, held by the in-memory twin and by Elasticsearch alike.

Both are fed the same events: the twin through its own `apply`, Elasticsearch through the real
projection (`OrdersProjection.project`) into an index of a prefix of this module's own.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

import pytest
from elasticsearch import AsyncElasticsearch, Elasticsearch

from commerce.adapters.elasticsearch.client import create_client
from commerce.adapters.elasticsearch.order_views import ElasticsearchOrderViews
from commerce.adapters.memory.order_views import InMemoryOrderViews
from commerce.domain.events import EventEnvelope
from commerce.domain.order import CancelReason, Order, OrderStatus, PaymentStatus
from commerce.ports.health import DependencyUnavailableError
from commerce.ports.order_views import OrderPage, OrderQuery, OrderViews
from commerce.ports.product_search import InvalidCursorError
from commerce.settings import Settings
from projections.orders.projector import EventGapError, OrdersProjection
from projections.products.query import encode_cursor as product_search_cursor
from tests.order_events import an_order, changes, minutes_later, pay, refund
from tests.product_events import a_product
from tests.support import ELASTICSEARCH_TIMEOUT, NOW, an_address, eur, free_port

_counter = itertools.count()
ADA = uuid.UUID("00000000-0000-4000-8000-00000000000a")
BOB = uuid.UUID("00000000-0000-4000-8000-00000000000b")


@dataclass
class Orders:
    views: OrderViews
    apply: Callable[[Sequence[EventEnvelope]], Awaitable[None]]

    async def add(self, *orders: tuple[Order, list[EventEnvelope]]) -> list[Order]:
        await self.apply([event for _, events in orders for event in events])
        return [order for order, _ in orders]

    async def list(self, customer_id: uuid.UUID | None = ADA, **query: object) -> OrderPage:
        return await self.views.list_orders(OrderQuery(customer_id=customer_id, **query))

    async def numbers(self, customer_id: uuid.UUID | None = ADA, **query: object) -> list[str]:
        return [item.number for item in (await self.list(customer_id, **query)).items]


@pytest.fixture(scope="module")
def es_module(stack_settings: Settings) -> Iterator[tuple[Elasticsearch, str]]:
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    prefix = f"test-orders-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture(params=["memory", "elasticsearch"])
async def orders(request: pytest.FixtureRequest) -> AsyncIterator[Orders]:
    if request.param == "memory":
        twin = InMemoryOrderViews()

        async def apply_to_twin(events: Sequence[EventEnvelope]) -> None:
            twin.apply(events)

        yield Orders(twin, apply_to_twin)
        return
    sync_client, module_prefix = request.getfixturevalue("es_module")
    settings: Settings = request.getfixturevalue("stack_settings")
    prefix = f"{module_prefix}-{next(_counter)}"
    projection = OrdersProjection(prefix)
    projection.ensure_index(sync_client)
    client = create_client(settings.elasticsearch_url, ELASTICSEARCH_TIMEOUT)

    async def apply_to_index(events: Sequence[EventEnvelope]) -> None:
        try:
            await asyncio.to_thread(projection.project, sync_client, events)
        finally:
            await client.indices.refresh(index=projection.alias)

    try:
        yield Orders(ElasticsearchOrderViews(client, prefix), apply_to_index)
    finally:
        await client.close()
        for name in sync_client.indices.get(index=f"{projection.alias}-*"):
            sync_client.indices.delete(index=name)


def ada_order(
    *lines: tuple[str, int, int], minutes: int = 0, number: str | None = None
) -> tuple[Order, list[EventEnvelope]]:
    return an_order(*lines, customer_id=ADA, number=number, placed_at=minutes_later(minutes))


# Lists and filters --------------------------------------------------------------------------


async def test_a_customers_list_holds_only_their_orders_newest_first(orders: Orders) -> None:
    first, second, third, _ = await orders.add(
        ada_order(minutes=-60),
        ada_order(minutes=0),
        ada_order(minutes=-30),
        an_order(customer_id=BOB, customer_email="bob@example.com"),
    )

    page = await orders.list()

    assert [item.number for item in page.items] == [second.number, third.number, first.number]
    assert (page.total.value, page.total.relation, page.next_cursor) == (3, "eq", None)
    assert await orders.numbers(uuid.uuid4()) == []


async def test_a_list_item_summarises_the_order(orders: Orders) -> None:
    order, placed = ada_order(("Stainless steel kettle", 2, 2999), ("Cast iron pan", 1, 1500))
    pay(order, 2000)
    await orders.apply([*placed, *changes(order)])

    (item,) = (await orders.list()).items

    assert (item.id, item.number, item.status, item.placed_at) == (
        order.id,
        order.number,
        OrderStatus.PARTIALLY_PAID,
        NOW,
    )
    assert (item.total, item.paid, item.item_count, item.shipment) == (
        eur(7498),
        eur(2000),
        3,
        None,
    )
    assert [(i.sku, i.name, i.quantity, i.image) for i in item.items] == [
        (line.sku, line.name, line.quantity, line.image) for line in order.lines
    ]
    assert item.customer_email == "ada@example.com"


async def test_the_status_filter_keeps_orders_in_any_of_the_statuses(orders: Orders) -> None:
    awaiting, placed = ada_order(minutes=-2)
    paid, paid_placed = ada_order(("Kettle", 1, 1000), minutes=-1)
    pay(paid, 1000)
    cancelled, cancelled_placed = ada_order()
    cancelled.cancel(CancelReason.CUSTOMER, NOW)
    await orders.apply(
        [*placed, *paid_placed, *changes(paid), *cancelled_placed, *changes(cancelled)]
    )

    assert await orders.numbers(statuses=[OrderStatus.PAID]) == [paid.number]
    assert await orders.numbers(statuses=[OrderStatus.PAID, OrderStatus.CANCELLED]) == [
        cancelled.number,
        paid.number,
    ]
    assert await orders.numbers(statuses=[OrderStatus.AWAITING_PAYMENT]) == [awaiting.number]
    assert await orders.numbers(statuses=[OrderStatus.DELIVERED]) == []


async def test_q_finds_orders_by_a_product_name_even_with_a_typo(orders: Orders) -> None:
    kettle, pan = await orders.add(
        ada_order(("Stainless steel kettle", 1, 2999), ("Tea towel", 1, 500), minutes=-1),
        ada_order(("Cast iron pan", 1, 1500)),
    )

    assert await orders.numbers(q="kettel") == [kettle.number]
    assert await orders.numbers(q="Kettles") == [kettle.number]
    assert await orders.numbers(q="pan") == [pan.number]
    assert await orders.numbers(q="towel kettle") == [kettle.number]
    assert await orders.numbers(q="iron kettle") == []
    assert await orders.numbers(q="teapot") == []


async def test_q_finds_an_order_by_its_exact_number_in_any_case(orders: Orders) -> None:
    await orders.add(
        ada_order(number="C-000123", minutes=-1),
        ada_order(number="C-000124"),
        an_order(customer_id=BOB, number="C-000125"),
    )

    assert await orders.numbers(q="C-000123") == ["C-000123"]
    assert await orders.numbers(q="c-000124") == ["C-000124"]
    assert await orders.numbers(q=" C-000123 ") == ["C-000123"]
    assert await orders.numbers(q="000124") == ["C-000124"]
    assert await orders.numbers(q="C-000125") == []
    assert await orders.numbers(q="C-000126") == []


async def test_the_date_range_is_inclusive_at_both_ends(orders: Orders) -> None:
    await orders.add(*(ada_order(number=f"C-00000{n}", minutes=-10 * n) for n in range(4)))

    assert await orders.numbers(placed_from=minutes_later(-20), placed_to=minutes_later(-10)) == [
        "C-000001",
        "C-000002",
    ]
    assert await orders.numbers(placed_from=minutes_later(-10)) == ["C-000000", "C-000001"]
    assert await orders.numbers(placed_to=minutes_later(-21)) == ["C-000003"]
    assert await orders.numbers(placed_from=NOW + timedelta(seconds=1)) == []


async def test_a_cursor_pages_through_five_orders_two_at_a_time_visiting_each_once(
    orders: Orders,
) -> None:
    placed = await orders.add(*(ada_order(minutes=-(n // 2)) for n in range(5)))
    newest_first = [
        o.number for o in sorted(placed, key=lambda o: (-o.placed_at.timestamp(), str(o.id)))
    ]

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await orders.list(limit=2, cursor=cursor)
        assert page.total.value == 5
        seen += [item.number for item in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == newest_first
    assert pages == 3
    assert (await orders.list(limit=5)).next_cursor is None


async def test_a_garbled_or_foreign_cursor_is_refused(orders: Orders) -> None:
    await orders.add(*(ada_order(minutes=-n) for n in range(3)))
    cursor = (await orders.list(limit=1)).next_cursor
    assert cursor is not None
    product_cursor = product_search_cursor("newest", [1_795_427_200_000, str(uuid.uuid4())])

    for garbage in ["nope", "!!!", cursor[:-3], product_cursor]:
        with pytest.raises(InvalidCursorError):
            await orders.list(cursor=garbage)


async def test_the_staff_list_filters_by_customer_email_without_case(orders: Orders) -> None:
    ada, bob = await orders.add(
        ada_order(minutes=-1), an_order(customer_id=BOB, customer_email="Bob@Example.com")
    )

    assert await orders.numbers(None) == [bob.number, ada.number]
    assert await orders.numbers(None, customer_email="BOB@example.COM") == [bob.number]
    assert await orders.numbers(None, customer_email=" ada@example.com") == [ada.number]
    assert await orders.numbers(None, customer_email="eve@example.com") == []
    assert await orders.numbers(None, customer_email="bob@example.com", q="kettle") == [bob.number]


# Detail -------------------------------------------------------------------------------------


async def test_the_detail_follows_payments_a_refund_shipment_and_delivery(
    orders: Orders,
) -> None:
    order, placed = ada_order(("Stainless steel kettle", 2, 2999), ("Cast iron pan", 1, 1500))
    first = pay(order, 3000, minutes_later(1))
    declined = pay(order, 1000, minutes_later(2), succeeded=False, failure_reason="card_declined")
    await orders.apply([*placed, *changes(order)])
    partly = await orders.views.get_order(order.id)
    last = pay(order, 4498, minutes_later(3))
    refund(order, first, 500, minutes_later(4))
    order.ship("DHL", "TRACK-1", minutes_later(5))
    await orders.apply(changes(order))
    shipped = await orders.views.get_order(order.id)
    order.deliver(minutes_later(6))
    await orders.apply(changes(order))

    detail = await orders.views.get_order(order.id)

    assert partly is not None
    assert (partly.status, partly.paid, partly.balance_due) == (
        OrderStatus.PARTIALLY_PAID,
        eur(3000),
        eur(4498),
    )
    assert shipped is not None
    assert shipped.shipment is not None
    assert (shipped.status, shipped.shipment.status) == (OrderStatus.SHIPPED, "shipped")
    assert detail is not None
    assert (detail.id, detail.number, detail.status, detail.cancel_reason) == (
        order.id,
        order.number,
        OrderStatus.DELIVERED,
        None,
    )
    assert (detail.customer_id, detail.placed_at, detail.payment_due_at) == (
        ADA,
        NOW,
        order.payment_due_at,
    )
    assert (detail.total, detail.paid, detail.refunded, detail.balance_due) == (
        eur(7498),
        eur(7498),
        eur(500),
        eur(0),
    )
    assert [(p.id, p.amount, p.status, p.failure_reason, p.refunded) for p in detail.payments] == [
        (first, eur(3000), PaymentStatus.PARTIALLY_REFUNDED, None, eur(500)),
        (declined, eur(1000), PaymentStatus.FAILED, "card_declined", eur(0)),
        (last, eur(4498), PaymentStatus.SUCCEEDED, None, eur(0)),
    ]
    assert [p.created_at for p in detail.payments] == [minutes_later(n) for n in (1, 2, 3)]
    assert {p.order_id for p in detail.payments} == {order.id}
    assert [(line.name, line.unit_price, line.line_total) for line in detail.lines] == [
        ("Stainless steel kettle", eur(2999), eur(5998)),
        ("Cast iron pan", eur(1500), eur(1500)),
    ]
    assert detail.shipment is not None
    assert (
        detail.shipment.carrier,
        detail.shipment.tracking_number,
        detail.shipment.status,
        detail.shipment.shipped_at,
        detail.shipment.delivered_at,
    ) == ("DHL", "TRACK-1", "delivered", minutes_later(5), minutes_later(6))
    assert (detail.shipping_address, detail.billing_address) == (
        order.shipping_address,
        order.billing_address,
    )
    assert [(t.status, t.at, t.note) for t in detail.timeline] == [
        (t.status, t.at, t.note) for t in order.timeline
    ]
    assert detail.timeline[-1].note == "delivered"


async def test_a_cancelled_order_shows_its_reason_and_its_refunded_payment(
    orders: Orders,
) -> None:
    order, placed = ada_order(("Kettle", 1, 3000))
    order.change_shipping_address(an_address(city="Paris", country="FR"), NOW)
    payment_id = pay(order, 1000)
    order.cancel(CancelReason.OPERATOR, minutes_later(1))
    order.release_reservation(minutes_later(1))
    refund(order, payment_id, None, minutes_later(2))
    await orders.apply([*placed, *changes(order)])

    detail = await orders.views.get_order(order.id)

    assert detail is not None
    assert (detail.status, detail.cancel_reason) == (OrderStatus.CANCELLED, CancelReason.OPERATOR)
    assert (detail.paid, detail.refunded) == (eur(1000), eur(1000))
    assert [(p.status, p.refunded) for p in detail.payments] == [
        (PaymentStatus.REFUNDED, eur(1000))
    ]
    assert detail.shipping_address.city == "Paris"
    assert [t.note for t in detail.timeline][-4:] == [
        "cancelled (operator)",
        "reserved stock released",
        "refund of 10.00 EUR started",
        "refund of 10.00 EUR succeeded",
    ]
    assert await orders.numbers(statuses=[OrderStatus.CANCELLED]) == [order.number]


async def test_find_payment_returns_the_order_holding_it(orders: Orders) -> None:
    order, placed = ada_order(("Kettle", 1, 3000))
    payment_id = pay(order, 1000)
    other, other_placed = ada_order()
    pay(other, 500)
    await orders.apply([*placed, *changes(order), *other_placed, *changes(other)])

    found = await orders.views.find_payment(payment_id)

    assert found is not None
    assert found.id == order.id
    assert [p.id for p in found.payments] == [payment_id]
    assert await orders.views.find_payment(uuid.uuid4()) is None


async def test_an_unknown_order_is_none(orders: Orders) -> None:
    await orders.add(ada_order())

    assert await orders.views.get_order(uuid.uuid4()) is None


# Delivery: duplicates, reordering, other events ---------------------------------------------


async def test_events_delivered_twice_change_nothing(orders: Orders) -> None:
    order, placed = ada_order(("Kettle", 1, 3000))
    pay(order, 1000)
    pay(order, 2000)
    events = [*placed, *changes(order)]
    await orders.apply(events)
    once = await orders.views.get_order(order.id)

    await orders.apply(events)
    await orders.apply([*reversed(events), *events])
    await orders.apply(events[2:3])

    assert await orders.views.get_order(order.id) == once
    assert once is not None
    assert (once.status, once.paid, len(once.timeline)) == (OrderStatus.PAID, eur(3000), 5)


async def test_an_event_ahead_of_its_predecessor_fails_until_the_predecessor_arrives(
    orders: Orders,
) -> None:
    order, placed = ada_order(("Kettle", 1, 3000))
    pay(order, 3000)
    started, succeeded = changes(order)

    with pytest.raises(EventGapError):
        await orders.apply([started])
    with pytest.raises(EventGapError):
        await orders.apply([succeeded])
    assert await orders.views.get_order(order.id) is None
    assert await orders.numbers() == []

    await orders.apply(placed)
    await orders.apply([started])  # the retried batches
    await orders.apply([succeeded])

    detail = await orders.views.get_order(order.id)
    assert detail is not None
    assert (detail.status, detail.paid, len(detail.timeline)) == (OrderStatus.PAID, eur(3000), 3)


async def test_a_batch_holding_a_gap_applies_what_it_can_and_fails(orders: Orders) -> None:
    order, placed = ada_order(("Kettle", 1, 3000))
    payment_id = pay(order, 1000)
    started, succeeded = changes(order)
    order.cancel(CancelReason.CUSTOMER, NOW)
    (cancelled,) = changes(order)
    other, other_placed = ada_order(minutes=-1)
    await orders.apply(placed)

    with pytest.raises(EventGapError):
        await orders.apply([cancelled, started, *other_placed])

    progressed = await orders.views.get_order(order.id)
    assert progressed is not None
    assert [(p.id, p.status) for p in progressed.payments] == [(payment_id, PaymentStatus.PENDING)]
    assert await orders.views.get_order(other.id) is not None

    await orders.apply([succeeded])
    await orders.apply([cancelled, started, *other_placed])  # the retry succeeds

    detail = await orders.views.get_order(order.id)
    assert detail is not None
    assert (detail.status, detail.paid, len(detail.timeline)) == (
        OrderStatus.CANCELLED,
        eur(1000),
        4,
    )


async def test_a_whole_history_in_reverse_order_in_one_batch_is_applied(orders: Orders) -> None:
    order, placed = ada_order(("Kettle", 1, 3000))
    pay(order, 3000)
    order.ship("DHL", "T-1", NOW)
    events = [*placed, *changes(order)]

    await orders.apply(list(reversed(events)))

    detail = await orders.views.get_order(order.id)
    assert detail is not None
    assert detail.status == OrderStatus.SHIPPED
    assert [t.note for t in detail.timeline] == [t.note for t in order.timeline]


async def test_events_of_other_aggregates_are_ignored(orders: Orders) -> None:
    _, product_events = a_product("Stainless steel kettle")
    order, placed = ada_order()

    await orders.apply([*product_events, *placed])

    assert await orders.numbers() == [order.number]
    assert await orders.numbers(None) == [order.number]


# Elasticsearch only: a missing index, an unreachable cluster ----------------------------------


async def test_before_any_order_is_projected_lists_are_empty_and_lookups_find_nothing(
    elasticsearch: AsyncElasticsearch,
) -> None:
    views = ElasticsearchOrderViews(elasticsearch, f"test-missing-{uuid.uuid4().hex[:10]}")

    page = await views.list_orders(OrderQuery(customer_id=ADA, q="kettle"))

    assert (page.items, page.total.value, page.next_cursor) == ([], 0, None)
    assert await views.get_order(uuid.uuid4()) is None
    assert await views.find_payment(uuid.uuid4()) is None


async def test_an_unreachable_cluster_is_elasticsearch_unavailable() -> None:
    client = AsyncElasticsearch(f"http://127.0.0.1:{free_port()}", max_retries=0)
    views = ElasticsearchOrderViews(client, "test-unreachable")
    try:
        with pytest.raises(DependencyUnavailableError, match=r"^elasticsearch"):
            await views.list_orders(OrderQuery(customer_id=ADA))
        with pytest.raises(DependencyUnavailableError, match=r"^elasticsearch"):
            await views.get_order(uuid.uuid4())
        with pytest.raises(DependencyUnavailableError, match=r"^elasticsearch"):
            await views.find_payment(uuid.uuid4())
    finally:
        await client.close()


async def test_workers_applying_the_same_order_at_once_converge_on_one_history(
    es_module: tuple[Elasticsearch, str], elasticsearch: AsyncElasticsearch
) -> None:
    sync_client, module_prefix = es_module
    prefix = f"{module_prefix}-concurrent"
    projection = OrdersProjection(prefix)
    projection.ensure_index(sync_client)
    projection.ensure_index(sync_client)  # a second worker starting: the mapping is put again
    fresh, fresh_placed = ada_order(("Kettle", 1, 3000))
    pay(fresh, 3000)
    fresh_events = [*fresh_placed, *changes(fresh)]
    known, known_placed = ada_order(("Pan", 1, 1000))
    projection.project(sync_client, known_placed)
    pay(known, 400)
    pay(known, 600)
    known.ship("DHL", "T-1", NOW)
    known_events = changes(known)

    await asyncio.gather(
        *(
            asyncio.to_thread(projection.project, sync_client, [*fresh_events, *known_events])
            for _ in range(6)
        )
    )
    await elasticsearch.indices.refresh(index=projection.alias)

    views = ElasticsearchOrderViews(elasticsearch, prefix)
    for order in (fresh, known):
        detail = await views.get_order(order.id)
        assert detail is not None
        assert [(t.status, t.note) for t in detail.timeline] == [
            (t.status, t.note) for t in order.timeline
        ]
        assert detail.paid == order.paid
