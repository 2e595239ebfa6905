"""Query handlers of staff's sales and promo codes: they read the `promotions` read model only,
each at the instant of the clock (a status is the one at that instant)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar
from uuid import UUID

from commerce.domain.errors import DomainValidationError, NotFoundError
from commerce.domain.pricing import SaleStatus, normalize_code
from commerce.ports.clock import Clock
from commerce.ports.product_search import MAX_LIMIT, InvalidCursorError
from commerce.ports.promotion_views import (
    PromoCodePage,
    PromoCodeQuery,
    PromoCodeStatus,
    PromoCodeView,
    PromotionViews,
    SalePage,
    SaleQuery,
    SaleView,
)

P = TypeVar("P")


async def get_sale(sale_id: UUID, views: PromotionViews, clock: Clock) -> SaleView:
    """404 for an unknown or deleted sale."""
    view = await views.get_sale(sale_id, clock.now())
    if view is None:
        raise NotFoundError(f"no sale {sale_id}")
    return view


async def list_sales(
    statuses: list[SaleStatus],
    limit: int,
    cursor: str | None,
    views: PromotionViews,
    clock: Clock,
) -> SalePage:
    """Every sale but deleted ones (in any of `statuses` now), newest first."""
    _check_limit(limit)
    query = SaleQuery(now=clock.now(), statuses=statuses, limit=limit, cursor=cursor)
    return await _cursor_checked(views.list_sales(query))


async def get_promo_code(code: str, views: PromotionViews, clock: Clock) -> PromoCodeView:
    """The code in any case the caller typed it."""
    code = normalize_code(code)
    view = await views.get_code(code, clock.now())
    if view is None:
        raise NotFoundError(f"no promo code {code}")
    return view


async def list_promo_codes(
    statuses: list[PromoCodeStatus],
    limit: int,
    cursor: str | None,
    views: PromotionViews,
    clock: Clock,
) -> PromoCodePage:
    """Every code (in any of `statuses` now), newest first."""
    _check_limit(limit)
    query = PromoCodeQuery(now=clock.now(), statuses=statuses, limit=limit, cursor=cursor)
    return await _cursor_checked(views.list_codes(query))


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainValidationError("limit", f"must be between 1 and {MAX_LIMIT}")


async def _cursor_checked(listing: Awaitable[P]) -> P:
    """A forged cursor is a 422 naming it, as in every list."""
    try:
        return await listing
    except InvalidCursorError as error:
        raise DomainValidationError("cursor", str(error)) from None
