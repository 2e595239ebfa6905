"""Orders in PostgreSQL: one row per order; lines, payments, shipment and timeline are
documents of that row, so the order's version guards all of them at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

import msgspec
from sqlalchemy import Integer, Text, any_, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.bulk import EXPECTED_VERSION, InsertRows
from commerce.adapters.postgres.prepared import Prepared, Row
from commerce.adapters.postgres.repository import TrackingRepository, changed_rows, new_rows, split
from commerce.adapters.postgres.session import Session
from commerce.adapters.postgres.tables import order_numbers, order_payments, orders
from commerce.adapters.postgres.writes import Write, fails_with
from commerce.domain.errors import ConcurrencyError, NotFoundError
from commerce.domain.order import (
    AWAITING_PAYMENT,
    CancelReason,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Shipment,
    TimelineEntry,
)
from commerce.domain.values import Address, Money

# Order numbers are taken from the sequence in blocks, one round trip for NUMBER_BLOCK of them,
# kept by each process (per engine). Still never handed out twice; across processes they are
# not in time order, and a block a process leaves unused is a gap (as a rolled-back checkout's
# number already was).
NUMBER_BLOCK = 20
_number_blocks: WeakKeyDictionary[AsyncEngine, list[int]] = WeakKeyDictionary()


class PostgresOrderRepository(TrackingRepository[Order]):
    def __init__(self, connection: Session) -> None:
        super().__init__(connection)
        # The payments each loaded order had, so a save inserts only the new ones' ids.
        self._recorded_payments: dict[UUID, set[UUID]] = {}

    async def get(self, order_id: UUID) -> Order:
        # Not locked: changes of one order that overlap fail the version check of all but
        # one, which are then run again (`retried_on_conflict`).
        return await self._load(_BY_ID, {"id": order_id}, f"no order {order_id}")

    async def find(self, order_id: UUID) -> Order | None:
        try:
            return await self.get(order_id)
        except NotFoundError:
            return None

    async def get_by_payment(self, payment_id: UUID) -> Order:
        values = {"payment_id": payment_id}
        return await self._load(_BY_PAYMENT, values, f"no payment {payment_id}")

    async def _load(self, query: Prepared, values: dict[str, UUID], missing: str) -> Order:
        row = await self.connection.fetch_one(query, values)
        if row is None:
            raise NotFoundError(missing)
        order = order_from_row(row)
        self._recorded_payments[order.id] = {p.id for p in order.payments}
        return self._track(order)

    async def next_number(self) -> int:
        block = _number_blocks.setdefault(self.connection.engine, [])
        if not block:
            rows = await self.connection.fetch(_NUMBER_BLOCK)
            block += sorted((row[0] for row in rows), reverse=True)
        return int(block.pop())

    async def due_for_expiry(self, now: datetime, limit: int) -> list[UUID]:
        rows = await self.connection.fetch(_DUE_FOR_EXPIRY, {"now": now, "limit": limit})
        return [row["id"] for row in rows]

    async def unsettled_before(self, before: datetime, limit: int) -> list[UUID]:
        rows = await self.connection.fetch(_UNSETTLED, {"before": before, "limit": limit})
        return [row["id"] for row in rows]

    async def delivered_to(self, customer_id: UUID, product_id: UUID) -> bool:
        values = {"customer_id": customer_id, "line": [{"product_id": str(product_id)}]}
        return await self.connection.fetch_one(_DELIVERED_TO, values) is not None

    def writes(self, changes: Sequence[tuple[Order, int]]) -> list[Write]:
        new, changed = split(changes)
        writes = []
        if new:
            writes.append(new_rows(orders, "id", [_new_row(order) for order in new], "order"))
        if changed:
            rows = [
                {"id": order.id, EXPECTED_VERSION: expected, "version": order.version}
                | _columns(order)
                for order, expected in changed
            ]
            writes.append(changed_rows(orders, "id", rows, "order"))
        if payments := self._new_payment_ids([order for order, _ in changes]):
            failure = fails_with(lambda: ConcurrencyError("a payment was recorded twice"))
            writes.append(Write(_PAYMENTS, _PAYMENTS.values(payments), len(payments), failure))
        return writes

    def _new_payment_ids(self, saved: list[Order]) -> list[dict[str, UUID]]:
        rows = []
        for order in saved:
            recorded = self._recorded_payments.setdefault(order.id, set())
            new = [p.id for p in order.payments if p.id not in recorded]
            rows += [{"payment_id": payment_id, "order_id": order.id} for payment_id in new]
            recorded.update(new)
        return rows


_BY_ID = Prepared(select(orders).where(orders.c.id == bindparam("id", type_=orders.c.id.type)))
_PAYMENT_HOLDER = select(order_payments.c.order_id).where(
    order_payments.c.payment_id == bindparam("payment_id", type_=order_payments.c.payment_id.type)
)
_BY_PAYMENT = Prepared(select(orders).where(orders.c.id == _PAYMENT_HOLDER.scalar_subquery()))
_NUMBER_BLOCK = Prepared(
    select(order_numbers.next_value()).select_from(func.generate_series(1, NUMBER_BLOCK))
)
_LIMIT = bindparam("limit", type_=Integer())
_AWAITING = sorted(status.value for status in AWAITING_PAYMENT)
_DUE_FOR_EXPIRY = Prepared(
    select(orders.c.id)
    .where(
        orders.c.status == any_(bindparam("awaiting", _AWAITING, type_=ARRAY(Text))),
        orders.c.payment_due_at <= bindparam("now", type_=orders.c.payment_due_at.type),
    )
    .order_by(orders.c.payment_due_at)
    .limit(_LIMIT)
)
_UNSETTLED = Prepared(
    select(orders.c.id)
    .where(orders.c.unsettled_since <= bindparam("before", type_=orders.c.unsettled_since.type))
    .order_by(orders.c.unsettled_since)
    .limit(_LIMIT)
)
_DELIVERED_TO = Prepared(
    select(orders.c.id)
    .where(
        orders.c.customer_id == bindparam("customer_id", type_=orders.c.customer_id.type),
        # A constant, not a parameter: so the planner may use the partial index on it.
        orders.c.status == literal_column(f"'{OrderStatus.DELIVERED.value}'"),
        orders.c.lines.contains(bindparam("line", type_=JSONB)),
    )
    .limit(1)
)
_PAYMENTS = InsertRows(order_payments, ("payment_id", "order_id"), "payment_id")


def _new_row(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "version": order.version,
        "number": order.number,
        "customer_id": order.customer_id,
        "customer_email": order.customer_email,
        "lines": msgspec.to_builtins(order.lines),
        "total_amount": order.total.amount,
        "discount_amount": order.discount.amount,
        "promo_code": order.promo_code,
        "currency": order.total.currency,
        "billing_address": msgspec.to_builtins(order.billing_address),
        "placed_at": order.placed_at,
        "payment_due_at": order.payment_due_at,
    } | _columns(order)


def _columns(order: Order) -> dict[str, Any]:
    """What may change after the order is placed."""
    return {
        "status": order.status.value,
        "cancel_reason": order.cancel_reason.value if order.cancel_reason else None,
        "reservation_released": order.reservation_released,
        "shipping_address": msgspec.to_builtins(order.shipping_address),
        "payments": msgspec.to_builtins(order.payments),
        "shipment": msgspec.to_builtins(order.shipment),
        "timeline": msgspec.to_builtins(order.timeline),
        "unsettled_since": order.unsettled_since,
    }


def order_from_row(row: Row) -> Order:
    return Order(
        order_id=row["id"],
        number=row["number"],
        customer_id=row["customer_id"],
        customer_email=row["customer_email"],
        lines=msgspec.convert(row["lines"], list[OrderLine]),
        total=Money(row["total_amount"], row["currency"]),
        promo_code=row["promo_code"],
        discount=Money(row["discount_amount"], row["currency"]),
        shipping_address=msgspec.convert(row["shipping_address"], Address),
        billing_address=msgspec.convert(row["billing_address"], Address),
        placed_at=row["placed_at"],
        payment_due_at=row["payment_due_at"],
        status=OrderStatus(row["status"]),
        cancel_reason=CancelReason(row["cancel_reason"]) if row["cancel_reason"] else None,
        reservation_released=row["reservation_released"],
        payments=msgspec.convert(row["payments"], list[Payment]),
        shipment=msgspec.convert(row["shipment"], Shipment | None),
        timeline=msgspec.convert(row["timeline"], list[TimelineEntry]),
        version=row["version"],
    )
