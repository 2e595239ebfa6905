"""Staff's view of sales, read from PostgreSQL (`ports.sale_views`): a few rows a page, asked
for rarely, through SQLAlchemy."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, not_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.engine import unavailable_when_down
from commerce.adapters.postgres.sales import sale_from_row
from commerce.adapters.postgres.tables import sales
from commerce.adapters.sale_pages import after_cursor, page_of
from commerce.domain.errors import NotFoundError
from commerce.ports.sale_views import SalePage, SaleView

_LISTED = not_(sales.c.deleted)


class PostgresSaleViews:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, sale_id: UUID, now: datetime) -> SaleView:
        query = select(sales).where(sales.c.id == sale_id, _LISTED)
        with unavailable_when_down():
            async with self._engine.connect() as connection:
                row = (await connection.execute(query)).mappings().one_or_none()
        if row is None:
            raise NotFoundError(f"no sale {sale_id}")
        return SaleView.of(sale_from_row(row), now)

    async def newest(self, limit: int, cursor: str | None, now: datetime) -> SalePage:
        query = select(sales).where(_LISTED)
        if cursor is not None:
            after = after_cursor(cursor)
            query = query.where(
                tuple_(sales.c.created_at, sales.c.id) < (after.created_at, after.id)
            )
        query = query.order_by(sales.c.created_at.desc(), sales.c.id.desc()).limit(limit + 1)
        with unavailable_when_down():
            async with self._engine.connect() as connection:
                rows = (await connection.execute(query)).mappings().all()
                count = await connection.scalar(select(func.count()).where(_LISTED))
        views = [SaleView.of(sale_from_row(row), now) for row in rows]
        return page_of(views, limit, count or 0)
