"""Stock per SKU in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import RowMapping

from commerce.adapters.postgres.bulk import as_arrays, insert_from_arrays
from commerce.adapters.postgres.repository import TrackingRepository
from commerce.adapters.postgres.tables import stock_items
from commerce.domain.errors import NotFoundError
from commerce.domain.inventory import StockItem


class PostgresStockRepository(TrackingRepository[StockItem]):
    async def get(self, sku: str) -> StockItem:
        # FOR UPDATE: stock changes are short and contended; waiting beats a retry.
        query = select(stock_items).where(stock_items.c.sku == sku).with_for_update()
        row = (await self.connection.execute(query)).mappings().one_or_none()
        if row is None:
            raise NotFoundError(f"no SKU {sku}")
        return self._track(stock_item_from_row(row))

    async def lock_many(self, skus: Iterable[str]) -> dict[str, StockItem]:
        """Lock the rows in SKU order, the one order every transaction that locks several
        stock rows uses: two checkouts of overlapping carts wait for each other instead of
        deadlocking. Unknown SKUs are left out."""
        wanted = sorted(set(skus))
        query = (
            select(stock_items)
            .where(stock_items.c.sku.in_(wanted))
            .order_by(stock_items.c.sku)
            .with_for_update()
        )
        rows = (await self.connection.execute(query)).mappings()
        return {item.sku: self._track(item) for item in map(stock_item_from_row, rows)}

    async def save_all(self, changes: Sequence[tuple[StockItem, int]]) -> None:
        new = sorted((item for item, expected in changes if expected == 0), key=_sku)
        if new:
            await self.connection.execute(_INSERT, as_arrays([_row(item) for item in new]))
        for item, expected in changes:
            if expected:
                await self._update_versioned(stock_items, item.sku, item, expected, _levels(item))


def _sku(item: StockItem) -> str:
    return item.sku


def _levels(item: StockItem) -> dict[str, Any]:
    return {"on_hand": item.on_hand, "reserved": item.reserved, "sold": item.sold}


def _row(item: StockItem) -> dict[str, Any]:
    return {"sku": item.sku, "product_id": item.product_id, "version": item.version} | _levels(item)


_INSERT = insert_from_arrays(
    stock_items, ["sku", "product_id", "version", "on_hand", "reserved", "sold"]
)


def stock_item_from_row(row: RowMapping) -> StockItem:
    return StockItem(
        sku=row["sku"],
        product_id=row["product_id"],
        on_hand=row["on_hand"],
        reserved=row["reserved"],
        sold=row["sold"],
        version=row["version"],
    )
