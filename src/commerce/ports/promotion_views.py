"""What staff see of sales and promo codes (`/v1/admin/discounts`, `/v1/admin/promo-codes`): one,
or a list newest first, each with its status at the instant asked about.

The views are read from the `promotions` read model; a command's response builds the same view
from the aggregate it changed (`SaleView.of`, `PromoCodeView.of`), so both look alike.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

import msgspec

from commerce.domain.pricing import PromoCode, Sale, SaleStatus
from commerce.domain.values import Money
from commerce.ports.product_search import DEFAULT_LIMIT, Total


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


class PromoCodeStatus(StrEnum):
    """`PromoCode.status`: `active`, or why nobody can use the code now."""

    ACTIVE = "active"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    DISABLED = "disabled"


class PromoCodeView(msgspec.Struct, frozen=True, kw_only=True):
    """`status` now: `active`, `not_started`, `expired`, `exhausted` or `disabled`;
    `redeemed`: uses by orders not cancelled."""

    code: str
    percent_off: int | None
    amount_off: Money | None
    min_subtotal: Money | None
    max_redemptions: int | None
    per_customer_limit: int | None
    starts_at: datetime
    ends_at: datetime
    redeemed: int
    disabled: bool
    status: str
    created_at: datetime
    version: int

    @classmethod
    def of(cls, promo: PromoCode, now: datetime) -> PromoCodeView:
        terms = promo.terms
        return cls(
            code=promo.code,
            percent_off=terms.discount.percent_off,
            amount_off=terms.discount.amount_off,
            min_subtotal=terms.min_subtotal,
            max_redemptions=terms.max_redemptions,
            per_customer_limit=terms.per_customer_limit,
            starts_at=terms.starts_at,
            ends_at=terms.ends_at,
            redeemed=promo.redeemed,
            disabled=promo.disabled,
            status=promo.status(now),
            created_at=promo.created_at,
            version=promo.version,
        )


class PromoCodePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[PromoCodeView]
    total: Total
    next_cursor: str | None


class SaleQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Sales in any of `statuses` at `now` (all when empty), newest first."""

    now: datetime
    statuses: list[SaleStatus] = []
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


class PromoCodeQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Codes in any of `statuses` at `now` (all when empty), newest first."""

    now: datetime
    statuses: list[PromoCodeStatus] = []
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


class PromotionViews(Protocol):
    """Deleted sales are left out: staff withdrew them. Lists raise `InvalidCursorError`
    (ports.product_search) for a cursor they did not hand out."""

    async def get_sale(self, sale_id: UUID, now: datetime) -> SaleView | None: ...

    async def list_sales(self, query: SaleQuery) -> SalePage: ...

    async def get_code(self, code: str, now: datetime) -> PromoCodeView | None:
        """`code` as stored (upper case, `normalize_code`)."""
        ...

    async def list_codes(self, query: PromoCodeQuery) -> PromoCodePage: ...
