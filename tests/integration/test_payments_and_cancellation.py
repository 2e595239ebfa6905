"""Money against the real PostgreSQL and the sandbox gateway (whose ledger is PostgreSQL
too): a timeout is reconciled without a second charge; a cancelled paid order gets its stock
back and one refund, however often and however concurrently the saga runs."""

import asyncio
import uuid
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.payments.sandbox import SandboxPaymentGateway
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.application.order_saga import react, release_reservation
from commerce.application.orders import CancelOrder, cancel_order, expire_unpaid_orders
from commerce.application.payments import SubmitPayment, reconcile_payments, submit_payment
from commerce.domain.inventory import StockItem
from commerce.domain.order import CancelReason, OrderStatus, PaymentStatus
from commerce.domain.values import Money
from tests.shop import (
    check_out,
    customer_with_cart,
    order_of,
    recorded_events,
    stock_of,
    stocked_product,
    unique_sku,
)


async def test_a_timed_out_payment_is_reconciled_later_without_a_second_charge(
    engine: AsyncEngine,
) -> None:
    clock = FixedClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    gateway = SandboxPaymentGateway(engine)
    sku = unique_sku()
    product_id = await stocked_product(new_uow, {sku: 3}, price=4000)
    shopper = await customer_with_cart(new_uow, {sku: 1}, product_id)
    order = (await check_out(new_uow, clock, shopper)).order
    payment = SubmitPayment(
        order_id=order.id,
        payment_id=uuid.uuid4(),
        customer_id=shopper.id,
        amount=Money(4000, "EUR"),
        token="tok_timeout",
    )

    timed_out = await submit_payment(payment, new_uow(), gateway, clock)
    assert timed_out.payment.status == PaymentStatus.PENDING
    assert timed_out.order.status == OrderStatus.AWAITING_PAYMENT
    assert await reconcile_payments(new_uow(), gateway, clock, timedelta(seconds=30)) == 0

    clock.advance(timedelta(seconds=31))
    retried = await submit_payment(payment, new_uow(), gateway, clock)  # the client retries
    settled = await reconcile_payments(new_uow(), gateway, clock, timedelta(seconds=30))

    order_now = await order_of(new_uow, order.id)
    assert retried.payment.status == PaymentStatus.SUCCEEDED
    assert settled == 0  # the retry had settled it already
    assert order_now.status == OrderStatus.PAID
    assert order_now.unsettled_since is None
    ledger = await gateway.ledger()
    assert [c.key for c in ledger.charges].count(str(payment.payment_id)) == 1
    assert ledger.captured(str(payment.payment_id)) == 4000


async def test_the_reconciler_settles_a_timeout_nobody_retried(engine: AsyncEngine) -> None:
    clock = FixedClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    gateway = SandboxPaymentGateway(engine)
    sku = unique_sku()
    product_id = await stocked_product(new_uow, {sku: 3}, price=1500)
    shopper = await customer_with_cart(new_uow, {sku: 2}, product_id)
    order = (await check_out(new_uow, clock, shopper)).order
    payment_id = uuid.uuid4()
    command = SubmitPayment(
        order_id=order.id,
        payment_id=payment_id,
        customer_id=shopper.id,
        amount=Money(1000, "EUR"),
        token="tok_timeout",
    )
    await submit_payment(command, new_uow(), gateway, clock)

    clock.advance(timedelta(minutes=1))
    settled = await reconcile_payments(new_uow(), gateway, clock, timedelta(seconds=30))
    again = await reconcile_payments(new_uow(), gateway, clock, timedelta(seconds=30))

    order_now = await order_of(new_uow, order.id)
    assert (settled, again) == (1, 0)
    assert order_now.status == OrderStatus.PARTIALLY_PAID
    assert order_now.paid == Money(1000, "EUR")
    assert (await gateway.ledger()).captured(str(payment_id)) == 1000


async def test_cancelling_a_paid_order_returns_the_stock_and_refunds_once_despite_redelivery(
    engine: AsyncEngine,
) -> None:
    clock = FixedClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    gateway = SandboxPaymentGateway(engine)
    sku = unique_sku()
    product_id = await stocked_product(new_uow, {sku: 5}, price=2000)
    shopper = await customer_with_cart(new_uow, {sku: 3}, product_id)
    order = (await check_out(new_uow, clock, shopper)).order
    payments = [uuid.uuid4(), uuid.uuid4()]
    for payment_id, amount in zip(payments, (2500, 3500), strict=True):
        command = SubmitPayment(
            order_id=order.id,
            payment_id=payment_id,
            customer_id=shopper.id,
            amount=Money(amount, "EUR"),
            token="tok_visa",
        )
        await submit_payment(command, new_uow(), gateway, clock)
    assert (await order_of(new_uow, order.id)).status == OrderStatus.PAID
    assert (await stock_of(new_uow, sku)).available == 2

    cancel = CancelOrder(order_id=order.id, reason=CancelReason.OPERATOR)
    await cancel_order(cancel, new_uow(), clock)
    events = await recorded_events(engine, order.id)  # what the relay delivers
    # The same cancellation delivered three times, two of them at the same moment.
    await asyncio.gather(
        react(events, new_uow(), gateway, clock), react(events, new_uow(), gateway, clock)
    )
    await react(events, new_uow(), gateway, clock)

    order_now = await order_of(new_uow, order.id)
    item = await stock_of(new_uow, sku)
    ledger = await gateway.ledger()
    assert (item.on_hand, item.reserved, item.available) == (5, 0, 5)
    assert order_now.reservation_released
    assert [p.status for p in order_now.payments] == [PaymentStatus.REFUNDED] * 2
    assert order_now.refunded == Money(6000, "EUR")
    ours = [r for r in ledger.refunds if r.charge_key in {str(p) for p in payments}]
    assert len(ours) == 2  # one refund per payment at the gateway
    assert [ledger.refunded(str(p)) for p in payments] == [2500, 3500]
    notes = [entry.note for entry in order_now.timeline]
    assert notes.count("reserved stock released") == 1
    assert sum(note.startswith("refund of") and "succeeded" in note for note in notes) == 2


async def test_an_unpaid_order_past_its_window_is_cancelled_and_its_stock_released(
    engine: AsyncEngine,
) -> None:
    clock = FixedClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    sku = unique_sku()
    product_id = await stocked_product(new_uow, {sku: 4})
    shopper = await customer_with_cart(new_uow, {sku: 4}, product_id)
    order = (await check_out(new_uow, clock, shopper)).order

    clock.advance(timedelta(minutes=29))
    early = await expire_unpaid_orders(new_uow(), clock)
    clock.advance(timedelta(minutes=2))
    expired = await expire_unpaid_orders(new_uow(), clock)
    again = await expire_unpaid_orders(new_uow(), clock)
    released = await release_reservation(order.id, new_uow(), clock)

    cancelled = await order_of(new_uow, order.id)
    assert early == 0
    assert expired >= 1  # orders of other tests in this database may expire too
    assert again == 0
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.cancel_reason == CancelReason.PAYMENT_EXPIRED
    assert released  # the saga's step recorded its event
    assert (await stock_of(new_uow, sku)).available == 4


class _StockLoadedLate(PostgresUnitOfWork):
    """Loads the stock only once `go` is set (after saying so in `waiting`): another run of
    the same step can then commit between this one's order load and its stock load."""

    def __init__(self, engine: AsyncEngine, clock: FixedClock) -> None:
        super().__init__(engine, clock)
        self.waiting, self.go = asyncio.Event(), asyncio.Event()

    async def __aenter__(self) -> "_StockLoadedLate":
        await super().__aenter__()
        get_many = self.stock.get_many

        async def late(skus: Iterable[str]) -> dict[str, StockItem]:
            self.waiting.set()
            await self.go.wait()
            return await get_many(skus)

        self.stock.get_many = late  # type: ignore[method-assign]
        return self


async def test_a_release_that_read_the_order_before_another_release_committed_runs_again(
    engine: AsyncEngine,
) -> None:
    clock = FixedClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    sku = unique_sku()
    product_id = await stocked_product(new_uow, {sku: 5})
    shopper = await customer_with_cart(new_uow, {sku: 3}, product_id)
    order = (await check_out(new_uow, clock, shopper)).order
    await cancel_order(
        CancelOrder(order_id=order.id, reason=CancelReason.OPERATOR), new_uow(), clock
    )
    late = _StockLoadedLate(engine, clock)

    slow = asyncio.create_task(release_reservation(order.id, late, clock))
    await late.waiting.wait()  # it has read the order, reservation not yet released
    assert await release_reservation(order.id, new_uow(), clock) != []
    late.go.set()

    assert await slow == []  # it ran again, and found the reservation released
    item = await stock_of(new_uow, sku)
    assert (item.on_hand, item.reserved) == (5, 0)
