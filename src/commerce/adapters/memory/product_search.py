"""The in-memory twin of the product search: the same documents (built by the projector's own
functions from the same events), answered by the read model's own in-memory evaluation of the
query (`projections.products.matching`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from commerce.domain.events import EventEnvelope
from commerce.ports.product_search import ProductQuery, ProductView, SearchResult, Suggestion
from projections.paging import TRACK_TOTAL_HITS
from projections.products import matching
from projections.products.document import ProductState, document, merge
from projections.products.projector import changes_by_product
from projections.products.sale_state import SaleRecord, records_from_events
from projections.products.views import stock_from_source, view_from_source


class InMemoryProductSearch:
    def __init__(self, track_total_hits: int = TRACK_TOTAL_HITS) -> None:
        self._states: dict[str, ProductState] = {}
        self._sales: dict[str, SaleRecord] = {}
        self._track_total_hits = track_total_hits

    def counting_up_to(self, track_total_hits: int) -> InMemoryProductSearch:
        """A search over the same documents that stops counting hits at `track_total_hits`."""
        twin = InMemoryProductSearch(track_total_hits)
        twin._states, twin._sales = self._states, self._sales
        return twin

    def project(self, events: Sequence[EventEnvelope]) -> None:
        """Apply events as the projection does, by the same functions."""
        for product_id, change in changes_by_product(events).items():
            current = self._states.get(product_id, ProductState(product_id=product_id))
            self._states[product_id] = merge(current, change)
        for sale_id, record in records_from_events(events).items():
            known = self._sales.get(sale_id)
            if known is None or record.version > known.version:
                self._sales[sale_id] = record
        for product_id, state in self._states.items():
            self._states[product_id] = merge(state, self._sales_on(state))

    def _sales_on(self, state: ProductState) -> ProductState:
        """Every sale record that picks the product or that it holds, as Elasticsearch's
        projection merges them in (`projections.products.sales`)."""
        return ProductState(
            product_id=state.product_id,
            sales={
                sale_id: record.state_for(state.product_id)
                for sale_id, record in self._sales.items()
                if sale_id in state.sales
                or (state.details is not None and record.picks(state.ref(state.details)))
            },
        )

    def _documents(self) -> list[dict[str, Any]]:
        return [document(state) for state in self._states.values()]

    async def search(self, query: ProductQuery) -> SearchResult:
        return matching.search(self._documents(), query, self._track_total_hits)

    async def get(self, product_id: UUID) -> ProductView | None:
        state = self._states.get(str(product_id))
        if state is None or not state.visible:
            return None
        return view_from_source(document(state))

    async def stock_levels(self, product_id: UUID) -> dict[str, int] | None:
        state = self._states.get(str(product_id))
        return None if state is None else stock_from_source(document(state))

    async def suggest(self, text: str) -> list[Suggestion]:
        return matching.suggest(self._documents(), text)
