"""The in-memory twin of the order views: the same states (built by the projection's own
function from the same events, with the same duplicate and gap rules) and the same query
rules as the Elasticsearch adapter, evaluated in Python."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from commerce.adapters.memory.product_search import fuzzy_equal
from commerce.domain.events import EventEnvelope
from commerce.ports.order_views import OrderDetail, OrderPage, OrderQuery
from commerce.ports.product_search import Total
from projections.orders.document import OrderState, email_key, number_key, search_text
from projections.orders.projector import EventGapError, advance, events_by_order
from projections.orders.query import (
    decode_cursor,
    detail_from_state,
    encode_cursor,
    epoch_millis,
    q_terms,
    summary_from_state,
    typo_tolerant,
)
from projections.products.query import TRACK_TOTAL_HITS


def _term_matches(term: str, words: list[str]) -> bool:
    if not typo_tolerant(term):
        return term in words
    return any(fuzzy_equal(term, word) for word in words)


def _matches_q(q: str, groups: list[tuple[str, ...]], state: OrderState) -> bool:
    if number_key(state.number) == number_key(q):
        return True
    words = search_text(state).split()
    return all(
        any(all(_term_matches(term, words) for term in alt.split()) for alt in alternatives)
        for alternatives in groups
    )


def _sort_key(state: OrderState) -> tuple[int, str]:
    """Ascending: newest first, then the id (as Elasticsearch sorts)."""
    return -epoch_millis(state.placed_at), str(state.order_id)


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

    def _matching(self, query: OrderQuery) -> list[OrderState]:
        groups = q_terms(query.q)
        statuses = set(query.statuses)
        low = epoch_millis(query.placed_from) if query.placed_from is not None else None
        high = epoch_millis(query.placed_to) if query.placed_to is not None else None
        email = email_key(query.customer_email) if query.customer_email is not None else None
        found = []
        for state in self._states.values():
            placed = epoch_millis(state.placed_at)
            if (
                (query.customer_id is not None and state.customer_id != query.customer_id)
                or (statuses and state.status not in statuses)
                or (low is not None and placed < low)
                or (high is not None and placed > high)
                or (email is not None and email_key(state.customer_email) != email)
                or (query.q and groups and not _matches_q(query.q, groups, state))
            ):
                continue
            found.append(state)
        return sorted(found, key=_sort_key)

    async def list_orders(self, query: OrderQuery) -> OrderPage:
        after = decode_cursor(query.cursor) if query.cursor else None
        matching = self._matching(query)
        ranked = matching
        if after is not None:
            start = (-after[0], after[1])
            ranked = [state for state in matching if _sort_key(state) > start]
        page = ranked[: query.limit]
        next_cursor = None
        if page and len(ranked) > query.limit:
            last = page[-1]
            next_cursor = encode_cursor(epoch_millis(last.placed_at), str(last.order_id))
        count = len(matching)
        total = (
            Total(value=count, relation="eq")
            if count <= self._track_total_hits
            else Total(value=self._track_total_hits, relation="gte")
        )
        return OrderPage(
            items=[summary_from_state(state) for state in page],
            total=total,
            next_cursor=next_cursor,
        )

    async def get_order(self, order_id: UUID) -> OrderDetail | None:
        state = self._states.get(str(order_id))
        return detail_from_state(state) if state is not None else None

    async def find_payment(self, payment_id: UUID) -> OrderDetail | None:
        for state in self._states.values():
            if any(payment.id == payment_id for payment in state.payments):
                return detail_from_state(state)
        return None
