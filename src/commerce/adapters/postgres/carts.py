"""Carts in PostgreSQL: one row per customer, its lines as a document."""

from __future__ import annotations

from uuid import UUID

import msgspec
from sqlalchemy import insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from commerce.adapters.postgres.repository import TrackingRepository
from commerce.adapters.postgres.tables import carts
from commerce.domain.cart import Cart, CartLine
from commerce.domain.errors import ConcurrencyError


class PostgresCartRepository(TrackingRepository[Cart]):
    async def get(self, customer_id: UUID) -> Cart:
        # FOR UPDATE: a checkout and an edit of the same cart queue instead of failing.
        query = select(carts).where(carts.c.customer_id == customer_id).with_for_update()
        row = (await self.connection.execute(query)).mappings().one_or_none()
        if row is None:
            return self._track(Cart(customer_id=customer_id))
        return self._track(cart_from_row(row))

    async def save(self, cart: Cart, expected_version: int) -> None:
        lines = msgspec.to_builtins(cart.lines)
        if expected_version == 0:
            try:
                async with self.connection.begin_nested():
                    await self.connection.execute(
                        insert(carts).values(
                            customer_id=cart.customer_id, version=cart.version, lines=lines
                        )
                    )
            except IntegrityError:
                raise ConcurrencyError("the cart was changed at the same time") from None
        else:
            await self._update_versioned(
                carts, cart.customer_id, cart, expected_version, {"lines": lines}
            )


def cart_from_row(row: RowMapping) -> Cart:
    lines = msgspec.convert(row["lines"], list[CartLine])
    return Cart(customer_id=row["customer_id"], lines=lines, version=row["version"])
