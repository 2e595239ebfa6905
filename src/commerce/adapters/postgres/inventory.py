"""Stock per SKU in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Text, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from commerce.adapters.postgres.catalog import offer_from_row, offers_query
from commerce.adapters.postgres.prepared import Prepared, Row
from commerce.adapters.postgres.repository import TrackingRepository, row_writes
from commerce.adapters.postgres.tables import stock_items
from commerce.adapters.postgres.writes import Write
from commerce.domain.errors import NotFoundError
from commerce.domain.inventory import StockItem
from commerce.domain.pricing import Offer


class PostgresStockRepository(TrackingRepository[StockItem]):
    # Not locked: stock changes that overlap fail the version check of all but one, which are
    # then run again (`retried_on_conflict`); no row is ever held while the caller thinks.
    async def get(self, sku: str) -> StockItem:
        row = await self.connection.fetch_one(_BY_SKU, {"sku": sku})
        if row is None:
            raise NotFoundError(f"no SKU {sku}")
        return self._track(stock_item_from_row(row))

    async def get_many(self, skus: Iterable[str]) -> dict[str, StockItem]:
        """In SKU order; unknown SKUs are left out."""
        rows = await self.connection.fetch(_BY_SKUS, {"skus": sorted(set(skus))})
        return {item.sku: self._track(item) for item in map(stock_item_from_row, rows)}

    async def get_many_offered(
        self, skus: Iterable[str]
    ) -> tuple[dict[str, StockItem], dict[str, Offer]]:
        rows = await self.connection.fetch(_OFFERED, {"skus": sorted(set(skus))})
        stock = {row["sku"]: self._track(stock_item_from_row(row)) for row in rows}
        return stock, {row["sku"]: offer_from_row(row) for row in rows}

    def writes(self, changes: Sequence[tuple[StockItem, int]]) -> list[Write]:
        # In SKU order, the order every writer changes stock rows in: two statements that
        # change overlapping sets wait for each other instead of deadlocking.
        return row_writes(stock_items, "sku", sorted(changes, key=_sku), _row, "stock")


_BY_SKU = Prepared(select(stock_items).where(stock_items.c.sku == bindparam("sku", type_=Text)))
_BY_SKUS = Prepared(
    select(stock_items)
    .where(stock_items.c.sku == any_(bindparam("skus", type_=ARRAY(Text))))
    .order_by(stock_items.c.sku)
)
_OFFERED = Prepared(offers_query(stock_items.c.version, stock_items.c.sold))


def _sku(change: tuple[StockItem, int]) -> str:
    return change[0].sku


def _levels(item: StockItem) -> dict[str, Any]:
    return {"on_hand": item.on_hand, "reserved": item.reserved, "sold": item.sold}


def _row(item: StockItem) -> dict[str, Any]:
    return {"sku": item.sku, "product_id": item.product_id, "version": item.version} | _levels(item)


def stock_item_from_row(row: Row) -> StockItem:
    return StockItem(
        sku=row["sku"],
        product_id=row["product_id"],
        on_hand=row["on_hand"],
        reserved=row["reserved"],
        sold=row["sold"],
        version=row["version"],
    )
