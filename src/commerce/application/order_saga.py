"""The cancellation saga: what follows an order's cancellation, run by workers.

Each step is idempotent and retried by the worker until it succeeds: releasing the reserved
stock, and giving back the order's promo code redemption with it, is guarded by the order's
`reservation_released` flag (version-checked with the stock and the code when the step
commits); each refund has an id derived from its payment, recorded before the
gateway is called with that id as its idempotency key. A payment captured after the order was
cancelled (a slow gateway) is refunded the same way. Every step shows in the order's timeline.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from uuid import UUID

from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.application.payments import refund_at_gateway
from commerce.domain.errors import ConcurrencyError
from commerce.domain.event_types import EVENTS
from commerce.domain.events import EventEnvelope
from commerce.domain.inventory import BelowReservedError
from commerce.domain.order import Order, OrderCancelled, OrderStatus, PaymentSucceeded, Refund
from commerce.domain.values import Money
from commerce.ports.clock import Clock
from commerce.ports.payment_gateway import PaymentGateway
from commerce.ports.unit_of_work import UnitOfWork

_CANCELLATION_REFUNDS = uuid.UUID("6b1f3c8e-2f43-4c55-9d3a-0c5a1d9e7a10")
SAGA_EVENTS = frozenset({OrderCancelled.type_name(), PaymentSucceeded.type_name()})


async def react(
    envelopes: Sequence[EventEnvelope], uow: UnitOfWork, gateway: PaymentGateway, clock: Clock
) -> None:
    """Run the saga's steps for the events that call for them; ignore every other event."""
    for envelope in envelopes:
        if envelope.type not in SAGA_EVENTS:
            continue
        event = EVENTS.decode(envelope)
        if isinstance(event, OrderCancelled):
            await release_reservation(event.order_id, uow, clock)
            await refund_cancelled_order(event.order_id, uow, gateway, clock)
        elif isinstance(event, PaymentSucceeded) and event.status == OrderStatus.CANCELLED:
            await refund_cancelled_order(event.order_id, uow, gateway, clock)


@command
@retried_on_conflict
async def release_reservation(order_id: UUID, uow: UnitOfWork, clock: Clock) -> list[UUID]:
    async with uow:
        order = await uow.orders.get(order_id)
        if not order.release_reservation(clock.now()):
            return []
        stock = await uow.stock.get_many(line.sku for line in order.lines)
        try:
            for line in order.lines:
                stock[line.sku].release(line.quantity, reason=f"order {order.number} cancelled")
        except BelowReservedError:
            # Loads lock nothing: another run of this step released the units after this one
            # read the order. Its commit would fail the order's version check; run again, it
            # finds the reservation released.
            raise ConcurrencyError(f"order {order.number}: released meanwhile") from None
        if order.promo_code is not None:  # every order with a code redeemed it
            promo = await uow.promo_codes.get(order.promo_code)
            promo.give_back(order_id=order.id, customer_id=order.customer_id, now=clock.now())
        return await uow.commit()


@command
@retried_on_conflict
async def refund_cancelled_order(
    order_id: UUID, uow: UnitOfWork, gateway: PaymentGateway, clock: Clock
) -> list[UUID]:
    """Refund what is left of every captured payment of a cancelled order."""
    async with uow:
        order = await uow.orders.get(order_id)
        if order.status != OrderStatus.CANCELLED:
            return []
        _start_refunds(order, clock)
        pending = order.pending_refunds()
        event_ids = await uow.commit()
    for payment, refund in pending:
        _, done = await refund_at_gateway(
            order_id, payment.id, refund, uow=uow, gateway=gateway, clock=clock
        )
        event_ids += done
    return event_ids


def _start_refunds(order: Order, clock: Clock) -> list[Refund]:
    return [
        order.start_refund(payment.id, cancellation_refund_id(payment.id), None, clock.now())
        for payment in order.payments
        if payment.refundable > 0
    ]


def cancellation_refund_id(payment_id: UUID) -> UUID:
    """One cancellation refund per payment, whoever runs the step and however often."""
    return uuid.uuid5(_CANCELLATION_REFUNDS, str(payment_id))


def refunded_on_cancellation(order: Order) -> Money:
    """What the cancellation gives back: every captured payment, less what staff had refunded
    before; the same before, during and after the saga's refunds."""
    amount = sum(
        payment.refundable
        + sum(
            r.amount.amount for r in payment.refunds if r.id == cancellation_refund_id(payment.id)
        )
        for payment in order.payments
    )
    return Money(amount, order.total.currency)
