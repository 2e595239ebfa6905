"""The `promotions` read model's views: a stored state as staff see it at an instant, built by
the same view the command responses show (`SaleView.of`, `PromoCodeView.of`), from the sale
or code the state describes, so its status is decided by the aggregate's own rule."""

from __future__ import annotations

from datetime import datetime

from commerce.domain.pricing import PromoCode, Sale
from commerce.ports.promotion_views import PromoCodeView, SaleView
from projections.promotions.document import PromotionState, aggregate_of


def sale_view(state: PromotionState, now: datetime) -> SaleView | None:
    """None for a state staff do not see: not a sale, not created yet, or deleted."""
    sale = aggregate_of(state)
    return SaleView.of(sale, now) if isinstance(sale, Sale) else None


def code_view(state: PromotionState, now: datetime) -> PromoCodeView | None:
    promo = aggregate_of(state)
    return PromoCodeView.of(promo, now) if isinstance(promo, PromoCode) else None
