"""Carts in PostgreSQL: one row per customer, its lines as a document, and its promo code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import bindparam, select

from commerce.adapters.postgres.prepared import Prepared, Row
from commerce.adapters.postgres.repository import TrackingRepository, row_writes
from commerce.adapters.postgres.tables import carts
from commerce.adapters.postgres.writes import Write
from commerce.domain.cart import Cart, CartLine


class PostgresCartRepository(TrackingRepository[Cart]):
    async def get(self, customer_id: UUID) -> Cart:
        # Not locked: a checkout and an edit of the same cart that overlap fail the version
        # check of one of them, which is then run again (`retried_on_conflict`).
        row = await self.connection.fetch_one(_BY_CUSTOMER, {"customer_id": customer_id})
        if row is None:
            return self._track(Cart(customer_id=customer_id))
        return self._track(cart_from_row(row))

    def writes(self, changes: Sequence[tuple[Cart, int]]) -> list[Write]:
        return row_writes(carts, "customer_id", changes, _row, "cart")


_BY_CUSTOMER = Prepared(
    select(carts).where(
        carts.c.customer_id == bindparam("customer_id", type_=carts.c.customer_id.type)
    )
)


def _row(cart: Cart) -> dict[str, Any]:
    return {
        "customer_id": cart.customer_id,
        "version": cart.version,
        "lines": msgspec.to_builtins(cart.lines),
        "promo_code": cart.promo_code,
    }


def cart_from_row(row: Row) -> Cart:
    lines = msgspec.convert(row["lines"], list[CartLine])
    return Cart(
        customer_id=row["customer_id"],
        lines=lines,
        promo_code=row["promo_code"],
        version=row["version"],
    )
