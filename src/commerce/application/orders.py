"""The order's life after checkout: address changes, cancellation, expiry, shipping,
delivery. Cancelling only records the decision; releasing the stock and refunding are the
cancellation saga's steps (application/order_saga.py), run by workers."""

from __future__ import annotations

import logging
from uuid import UUID

import msgspec

from commerce.application.checkout import OrderChanged
from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.domain.errors import ConflictError, NotFoundError
from commerce.domain.order import CancelReason, Order
from commerce.domain.values import Address
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


class CancelOrder(msgspec.Struct, frozen=True, kw_only=True):
    """`customer_id` is set when the customer cancels (their own orders only)."""

    order_id: UUID
    reason: CancelReason
    customer_id: UUID | None = None


class ChangeShippingAddress(msgspec.Struct, frozen=True, kw_only=True):
    order_id: UUID
    customer_id: UUID
    shipping_address: Address


class ShipOrder(msgspec.Struct, frozen=True, kw_only=True):
    order_id: UUID
    carrier: str
    tracking_number: str


class DeliverOrder(msgspec.Struct, frozen=True, kw_only=True):
    order_id: UUID


@command
@retried_on_conflict
async def cancel_order(cmd: CancelOrder, uow: UnitOfWork, clock: Clock) -> OrderChanged:
    async with uow:
        order = await _load(uow, cmd.order_id, cmd.customer_id)
        order.cancel(cmd.reason, clock.now())
        return OrderChanged(order, await uow.commit())


@command
@retried_on_conflict
async def change_shipping_address(
    cmd: ChangeShippingAddress, uow: UnitOfWork, clock: Clock
) -> OrderChanged:
    async with uow:
        order = await _load(uow, cmd.order_id, cmd.customer_id)
        order.change_shipping_address(cmd.shipping_address, clock.now())
        return OrderChanged(order, await uow.commit())


@command
@retried_on_conflict
async def ship_order(cmd: ShipOrder, uow: UnitOfWork, clock: Clock) -> OrderChanged:
    """The reservation becomes a sale in the same transaction: the units leave the shelf."""
    async with uow:
        order = await uow.orders.get(cmd.order_id)
        order.ship(cmd.carrier, cmd.tracking_number, clock.now())
        stock = await uow.stock.get_many(line.sku for line in order.lines)
        for line in order.lines:
            stock[line.sku].sell_reserved(line.quantity, reason=f"order {order.number} shipped")
        return OrderChanged(order, await uow.commit())


@command
@retried_on_conflict
async def deliver_order(cmd: DeliverOrder, uow: UnitOfWork, clock: Clock) -> OrderChanged:
    async with uow:
        order = await uow.orders.get(cmd.order_id)
        order.deliver(clock.now())
        return OrderChanged(order, await uow.commit())


async def expire_unpaid_orders(uow: UnitOfWork, clock: Clock, limit: int = 100) -> int:
    """Cancel (`payment_expired`) the orders still unpaid when their window closed; the
    saga then releases their stock. Returns how many were cancelled."""
    async with uow:
        due = await uow.orders.due_for_expiry(clock.now(), limit)
    expired = 0
    for order_id in due:
        try:
            await cancel_order(
                CancelOrder(order_id=order_id, reason=CancelReason.PAYMENT_EXPIRED), uow, clock
            )
            expired += 1
        except ConflictError:  # paid or cancelled meanwhile
            logger.info("order %s changed before it could expire", order_id)
    return expired


async def _load(uow: UnitOfWork, order_id: UUID, customer_id: UUID | None) -> Order:
    order = await uow.orders.get(order_id)
    if customer_id is not None and order.customer_id != customer_id:
        raise NotFoundError(f"no order {order_id}")
    return order
