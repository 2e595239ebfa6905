"""The in-memory twin of the `orders` queries: the same query answered from the same states
(built by the projector's own fold) by the same rules, evaluated in Python."""

from __future__ import annotations

from collections.abc import Iterable

from commerce.ports.order_views import OrderPage, OrderQuery
from projections.fuzzy import fuzzy_equal
from projections.orders.document import OrderState, email_key, number_key, search_text
from projections.orders.query import (
    decode_cursor,
    encode_cursor,
    q_terms,
    typo_tolerant,
)
from projections.orders.views import summary_from_state
from projections.paging import epoch_millis, total_of


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


def _matching(states: Iterable[OrderState], query: OrderQuery) -> list[OrderState]:
    groups = q_terms(query.q)
    statuses = set(query.statuses)
    low = epoch_millis(query.placed_from) if query.placed_from is not None else None
    high = epoch_millis(query.placed_to) if query.placed_to is not None else None
    email = email_key(query.customer_email) if query.customer_email is not None else None
    found = []
    for state in states:
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


def list_orders(
    states: Iterable[OrderState], query: OrderQuery, track_total_hits: int
) -> OrderPage:
    """What Elasticsearch answers to `list_request(query)` over these states."""
    after = decode_cursor(query.cursor) if query.cursor else None
    matching = _matching(states, query)
    ranked = matching
    if after is not None:
        start = (-after[0], after[1])
        ranked = [state for state in matching if _sort_key(state) > start]
    page = ranked[: query.limit]
    next_cursor = None
    if page and len(ranked) > query.limit:
        last = page[-1]
        next_cursor = encode_cursor(epoch_millis(last.placed_at), str(last.order_id))
    return OrderPage(
        items=[summary_from_state(state) for state in page],
        total=total_of(len(matching), track_total_hits),
        next_cursor=next_cursor,
    )
