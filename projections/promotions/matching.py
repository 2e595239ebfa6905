"""The in-memory twin of the `promotions` queries: the same lists answered from the same states
(merged by the projector's own functions), by the statuses the views show, in the order
Elasticsearch sorts (`created_at` in nanoseconds, then the key, both descending)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from commerce.ports.promotion_views import (
    PromoCodePage,
    PromoCodeQuery,
    PromoCodeView,
    SalePage,
    SaleQuery,
    SaleView,
)
from projections.paging import total_of
from projections.promotions.document import PromotionState
from projections.promotions.query import CODES, SALES, decode_cursor, encode_cursor, epoch_nanos
from projections.promotions.views import code_view, sale_view

V = TypeVar("V", SaleView, PromoCodeView)


def _key(view: SaleView | PromoCodeView) -> str:
    return str(view.id) if isinstance(view, SaleView) else view.code


def _position(view: SaleView | PromoCodeView) -> tuple[int, str]:
    return epoch_nanos(view.created_at), _key(view)


def _listed(
    views: Iterable[V | None],
    kind: str,
    statuses: Sequence[str],
    limit: int,
    cursor: str | None,
) -> tuple[list[V], int, str | None]:
    after = decode_cursor(cursor, kind) if cursor is not None else None
    wanted = set(statuses)
    matching = [
        view for view in views if view is not None and (not wanted or view.status in wanted)
    ]
    matching.sort(key=_position, reverse=True)
    ranked = [view for view in matching if after is None or _position(view) < after]
    page = ranked[:limit]
    next_cursor = None
    if page and len(ranked) > limit:
        next_cursor = encode_cursor(kind, *_position(page[-1]))
    return page, len(matching), next_cursor


def list_sales(
    states: Iterable[PromotionState], query: SaleQuery, track_total_hits: int
) -> SalePage:
    views = (sale_view(state, query.now) for state in states)
    page, count, next_cursor = _listed(views, SALES, query.statuses, query.limit, query.cursor)
    return SalePage(items=page, total=total_of(count, track_total_hits), next_cursor=next_cursor)


def list_codes(
    states: Iterable[PromotionState], query: PromoCodeQuery, track_total_hits: int
) -> PromoCodePage:
    views = (code_view(state, query.now) for state in states)
    page, count, next_cursor = _listed(views, CODES, query.statuses, query.limit, query.cursor)
    return PromoCodePage(
        items=page, total=total_of(count, track_total_hits), next_cursor=next_cursor
    )
