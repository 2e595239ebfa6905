"""Payments and refunds: recorded first, then sent to the gateway, then settled.

No stock or order row is locked while the gateway is called. The gateway's idempotency key is
the payment's (or refund's) id, itself derived from the request's `Idempotency-Key`: a retry,
a duplicate delivery or the reconciler may call the gateway again, and it never charges or
refunds twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.domain.errors import NotFoundError
from commerce.domain.order import Order, Payment, PaymentStatus, Refund
from commerce.domain.values import Money
from commerce.ports.clock import Clock
from commerce.ports.payment_gateway import (
    ChargeOutcome,
    GatewayRefusedError,
    GatewayTimeoutError,
    PaymentGateway,
)
from commerce.ports.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


class SubmitPayment(msgspec.Struct, frozen=True, kw_only=True):
    """Pay with a saved card (`payment_method_id`) or a gateway token. `payment_id` is
    derived from the request's idempotency key."""

    order_id: UUID
    payment_id: UUID
    customer_id: UUID
    amount: Money
    payment_method_id: UUID | None = None
    token: str | None = None


class RefundPayment(msgspec.Struct, frozen=True, kw_only=True):
    payment_id: UUID
    refund_id: UUID
    amount: int | None = None  # None: what is left


@dataclass(frozen=True)
class PaymentRecorded:
    order: Order
    payment: Payment
    event_ids: list[UUID]


@command
@retried_on_conflict
async def submit_payment(
    cmd: SubmitPayment, uow: UnitOfWork, gateway: PaymentGateway, clock: Clock
) -> PaymentRecorded:
    """409 unless the order awaits payment; 422 for more than the balance due. A gateway
    timeout answers with the payment `pending`."""
    async with uow:
        order = await _own_order(uow, cmd.order_id, cmd.customer_id)
        if order.has_payment(cmd.payment_id):
            payment = order.payment(cmd.payment_id)
            event_ids: list[UUID] = []
        else:
            token = cmd.token
            if cmd.payment_method_id is not None:
                account = await uow.accounts.get(cmd.customer_id)
                token = account.payment_method(cmd.payment_method_id).token
            assert token is not None, "the route requires a token or a payment method"
            payment = order.start_payment(cmd.payment_id, cmd.amount, token, clock.now())
            event_ids = await uow.commit()
        if payment.status == PaymentStatus.PENDING:
            # Nothing is held meanwhile (the unit of work locks nothing, and gives its
            # connection back at each commit); the order's version still guards the settling.
            event_ids += await _charge(order, payment, uow, gateway, clock)
    return PaymentRecorded(order, order.payment(payment.id), event_ids)


@command
@retried_on_conflict
async def refund_payment(
    cmd: RefundPayment, uow: UnitOfWork, gateway: PaymentGateway, clock: Clock
) -> PaymentRecorded:
    """Never more than was captured and not yet refunded (refunds in flight included)."""
    async with uow:
        order = await uow.orders.get_by_payment(cmd.payment_id)
        refund = order.start_refund(cmd.payment_id, cmd.refund_id, cmd.amount, clock.now())
        event_ids = await uow.commit()
    if not refund.succeeded:
        completed, done = await refund_at_gateway(
            order.id, cmd.payment_id, refund, uow=uow, gateway=gateway, clock=clock
        )
        order = completed or order  # as recorded before the gateway, if it did not answer
        event_ids += done
    return PaymentRecorded(order, order.payment(cmd.payment_id), event_ids)


async def reconcile_payments(
    uow: UnitOfWork, gateway: PaymentGateway, clock: Clock, older_than: timedelta, limit: int = 100
) -> int:
    """Ask the gateway about payments and refunds left pending (a timeout, a crash) for
    longer than `older_than`, and settle them. A payment the gateway never received failed:
    no money moved, and the customer may pay again. Returns how many were settled."""
    async with uow:
        order_ids = await uow.orders.unsettled_before(clock.now() - older_than, limit)
    settled = 0
    for order_id in order_ids:
        async with uow:
            order = await uow.orders.get(order_id)
        for payment in order.pending_payments():
            outcome = await _ask(gateway, payment)
            if outcome is not None:
                settled += bool((await _settle(order_id, payment.id, outcome, uow, clock))[1])
        for payment, refund in order.pending_refunds():
            _, done = await refund_at_gateway(
                order_id, payment.id, refund, uow=uow, gateway=gateway, clock=clock
            )
            settled += bool(done)
    return settled


async def refund_at_gateway(
    order_id: UUID,
    payment_id: UUID,
    refund: Refund,
    *,
    uow: UnitOfWork,
    gateway: PaymentGateway,
    clock: Clock,
) -> tuple[Order | None, list[UUID]]:
    """Send a recorded refund to the gateway and mark it done: the order as it then stands
    and the events recorded. A timeout leaves it pending for the reconciler (no order)."""
    try:
        await gateway.refund(str(refund.id), str(payment_id), refund.amount)
    except GatewayTimeoutError:
        return None, []
    except GatewayRefusedError:
        # The order's own arithmetic forbids this; leave the refund pending and visible.
        logger.error("the gateway refused refund %s of payment %s", refund.id, payment_id)
        return None, []
    async with uow:
        order = await uow.orders.get(order_id)
        if not order.complete_refund(payment_id, refund.id, clock.now()):
            return order, []
        return order, await uow.commit()


async def _own_order(uow: UnitOfWork, order_id: UUID, customer_id: UUID) -> Order:
    order = await uow.orders.get(order_id)
    if order.customer_id != customer_id:
        raise NotFoundError(f"no order {order_id}")
    return order


async def _charge(
    order: Order, payment: Payment, uow: UnitOfWork, gateway: PaymentGateway, clock: Clock
) -> list[UUID]:
    """In the open unit of work that recorded the payment: charge, and record the answer on
    `order`; the events."""
    try:
        outcome = await gateway.charge(str(payment.id), payment.amount, payment.token)
    except GatewayTimeoutError:
        return []  # the outcome is unknown: pending until the reconciler asks again
    return await _record(order, payment.id, outcome, uow, clock)


async def _ask(gateway: PaymentGateway, payment: Payment) -> ChargeOutcome | None:
    try:
        outcome = await gateway.lookup(str(payment.id))
    except GatewayTimeoutError:
        return None
    if outcome is None:
        return ChargeOutcome(succeeded=False, charge_id=None, failure_reason="gateway_unreachable")
    return outcome


async def _settle(
    order_id: UUID, payment_id: UUID, outcome: ChargeOutcome, uow: UnitOfWork, clock: Clock
) -> tuple[Order, list[UUID]]:
    async with uow:
        order = await uow.orders.get(order_id)
        return order, await _record(order, payment_id, outcome, uow, clock)


async def _record(
    order: Order, payment_id: UUID, outcome: ChargeOutcome, uow: UnitOfWork, clock: Clock
) -> list[UUID]:
    settled = order.settle_payment(
        payment_id,
        succeeded=outcome.succeeded,
        charge_id=outcome.charge_id,
        failure_reason=outcome.failure_reason,
        now=clock.now(),
    )
    return await uow.commit() if settled else []
