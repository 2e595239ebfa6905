"""What staff see of sales: one sale, and every sale newest first (`GET /v1/admin/discounts`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from commerce.domain.pricing import Sale, SaleStatus
from commerce.domain.values import Money
from commerce.ports.product_search import Total


class TargetsView(msgspec.Struct, frozen=True, kw_only=True):
    product_ids: list[UUID]
    categories: list[str]
    brands: list[str]


class SaleView(msgspec.Struct, frozen=True, kw_only=True):
    """`status` is the sale's at the instant asked about (what carts and checkout price by);
    search follows the scheduler, which records starts and ends within its interval."""

    id: UUID
    name: str
    percent_off: int | None
    amount_off: Money | None
    applies_to: TargetsView
    starts_at: datetime
    ends_at: datetime
    status: SaleStatus
    ended_early: bool
    created_at: datetime
    version: int

    @classmethod
    def of(cls, sale: Sale, now: datetime) -> SaleView:
        terms, targets = sale.terms, sale.terms.applies_to
        return cls(
            id=sale.id,
            name=terms.name,
            percent_off=terms.discount.percent_off,
            amount_off=terms.discount.amount_off,
            applies_to=TargetsView(
                product_ids=sorted(targets.product_ids),
                categories=list(targets.categories),
                brands=list(targets.brands),
            ),
            starts_at=terms.starts_at,
            ends_at=terms.ends_at,
            status=sale.status(now),
            ended_early=sale.ended_early,
            created_at=sale.created_at,
            version=sale.version,
        )


class SalePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[SaleView]
    total: Total
    next_cursor: str | None


class SaleViews(Protocol):
    """Deleted sales are left out: staff withdrew them."""

    async def get(self, sale_id: UUID, now: datetime) -> SaleView:
        """Raise `NotFoundError` for an unknown or deleted sale."""
        ...

    async def newest(self, limit: int, cursor: str | None, now: datetime) -> SalePage:
        """Newest first; raise `InvalidCursorError` for a cursor not handed out here."""
        ...
