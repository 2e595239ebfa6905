"""The in-memory twin of the order views: the same states (built by the projector's own fold
from the same events, with the same duplicate and gap rules), answered by the read model's own
in-memory evaluation of the query (`projections.orders.matching`)."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from commerce.domain.events import EventEnvelope
from commerce.ports.order_views import OrderDetail, OrderPage, OrderQuery
from projections.orders import matching
from projections.orders.document import OrderState
from projections.orders.projector import EventGapError, advance, events_by_order
from projections.orders.views import detail_from_state
from projections.paging import TRACK_TOTAL_HITS


class InMemoryOrderViews:
    def __init__(self, track_total_hits: int = TRACK_TOTAL_HITS) -> None:
        self._states: dict[str, OrderState] = {}
        self._track_total_hits = track_total_hits

    def apply(self, envelopes: Iterable[EventEnvelope]) -> None:
        """Apply events as the projection does, by the same function: everything that can be
        applied is, then the first gap (an event ahead of its predecessor) is raised."""
        gaps: list[EventGapError] = []
        for order_id, events in events_by_order(envelopes).items():
            state, gap = advance(self._states.get(order_id), events)
            if state is not None:
                self._states[order_id] = state
            if gap is not None:
                gaps.append(gap)
        if gaps:
            raise gaps[0]

    async def list_orders(self, query: OrderQuery) -> OrderPage:
        return matching.list_orders(self._states.values(), query, self._track_total_hits)

    async def get_order(self, order_id: UUID) -> OrderDetail | None:
        state = self._states.get(str(order_id))
        return detail_from_state(state) if state is not None else None

    async def find_payment(self, payment_id: UUID) -> OrderDetail | None:
        for state in self._states.values():
            if any(payment.id == payment_id for payment in state.payments):
                return detail_from_state(state)
        return None
