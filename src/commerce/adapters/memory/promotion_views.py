"""The in-memory twin of staff's promotion views: the same states (merged by the projector's
own functions from the same events), answered by the read model's own in-memory evaluation of
the lists (`projections.promotions.matching`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from commerce.domain.events import EventEnvelope
from commerce.ports.promotion_views import (
    PromoCodePage,
    PromoCodeQuery,
    PromoCodeView,
    SalePage,
    SaleQuery,
    SaleView,
)
from projections.paging import TRACK_TOTAL_HITS
from projections.promotions import matching
from projections.promotions.document import PromotionState, code_doc_id, merge, sale_doc_id
from projections.promotions.projector import changes_by_document
from projections.promotions.views import code_view, sale_view


class InMemoryPromotionViews:
    def __init__(self, track_total_hits: int = TRACK_TOTAL_HITS) -> None:
        self._states: dict[str, PromotionState] = {}
        self._track_total_hits = track_total_hits

    def apply(self, envelopes: Iterable[EventEnvelope]) -> None:
        """Apply events as the projection does, by the same functions."""
        for doc_id, change in changes_by_document(envelopes).items():
            self._states[doc_id] = merge(self._states.get(doc_id), change)

    async def get_sale(self, sale_id: UUID, now: datetime) -> SaleView | None:
        state = self._states.get(sale_doc_id(sale_id))
        return sale_view(state, now) if state is not None else None

    async def list_sales(self, query: SaleQuery) -> SalePage:
        return matching.list_sales(self._states.values(), query, self._track_total_hits)

    async def get_code(self, code: str, now: datetime) -> PromoCodeView | None:
        state = self._states.get(code_doc_id(code))
        return code_view(state, now) if state is not None else None

    async def list_codes(self, query: PromoCodeQuery) -> PromoCodePage:
        return matching.list_codes(self._states.values(), query, self._track_total_hits)
