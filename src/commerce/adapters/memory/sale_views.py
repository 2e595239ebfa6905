"""In-memory twin of staff's view of sales: reads the committed sales of the store."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from commerce.adapters.memory.unit_of_work import InMemoryStore
from commerce.adapters.sale_pages import after_cursor, page_of
from commerce.domain.errors import NotFoundError
from commerce.ports.sale_views import SalePage, SaleView


class InMemorySaleViews:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def get(self, sale_id: UUID, now: datetime) -> SaleView:
        sale = self._store.sales.get(sale_id)
        if sale is None or sale.deleted:
            raise NotFoundError(f"no sale {sale_id}")
        return SaleView.of(sale, now)

    async def newest(self, limit: int, cursor: str | None, now: datetime) -> SalePage:
        listed = [s for s in self._store.sales.values() if not s.deleted]
        listed.sort(key=lambda sale: (sale.created_at, sale.id), reverse=True)
        if cursor is not None:
            after = after_cursor(cursor)
            listed = [s for s in listed if (s.created_at, s.id) < (after.created_at, after.id)]
        views = [SaleView.of(sale, now) for sale in listed[: limit + 1]]
        return page_of(views, limit, sum(not s.deleted for s in self._store.sales.values()))
