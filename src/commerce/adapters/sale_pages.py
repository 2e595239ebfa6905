"""Pages of staff's list of sales, alike for PostgreSQL and the in-memory twin: newest first,
and the cursor to the next page."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from commerce.ports.product_search import Total
from commerce.ports.sale_views import SalePage, SaleView
from projections import paging


class SaleCursor(msgspec.Struct, frozen=True, array_like=True):
    """Where the next page starts: after this sale, in (created_at, id) descending."""

    created_at: datetime
    id: UUID


def after_cursor(cursor: str) -> SaleCursor:
    """Raise `InvalidCursorError` for a cursor not handed out by `page_of`."""
    return paging.decode_cursor(cursor, SaleCursor, "not a cursor this list handed out")


def page_of(views: list[SaleView], limit: int, total: int) -> SalePage:
    """A page of `views` (up to `limit + 1`, the one past the page saying there is more)."""
    page = views[:limit]
    more = len(views) > limit
    last = page[-1] if page else None
    next_cursor = (
        paging.encode_cursor(SaleCursor(last.created_at, last.id)) if more and last else None
    )
    return SalePage(items=page, total=Total(value=total, relation="eq"), next_cursor=next_cursor)
