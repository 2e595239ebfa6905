"""The `orders` read model: its index behind an alias, and the worker's projection.

The alias `<prefix>-orders` points at `<prefix>-orders-v<N>`; readers and writers only name
the alias. One document per order, built by `projections.orders.document` from the order's own
events (consecutive versions): duplicates are skipped, and an event that arrives before its
predecessor fails the batch, which the worker retries with backoff until the missing event
has been applied. Writes are guarded by `if_seq_no`/`if_primary_term` (or `create`), so two
workers applying the same order's events at once cannot lose one another's work.

Mapping: only what the bare server provides (keyword, dates, numbers, the standard analyser);
the searchable words are normalised in Python (`projections.text`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping, Sequence
from typing import Any

from elasticsearch import Elasticsearch

from commerce.domain.events import EventEnvelope
from projections.indices import REPLAY_REMEDY, ProjectionWriteError, ensure_index
from projections.orders.document import (
    EventGapError,
    OrderState,
    advance,
    decode_state,
    document,
    events_by_order,
)

NAME = "orders"
# Bump on a change the server cannot apply in place (a field's type); then rebuild.
MAPPING_VERSION = 1
_KEYWORD = {"type": "keyword", "ignore_above": 1024}

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"model": NAME, "mapping_version": MAPPING_VERSION},
    "properties": {
        "id": {"type": "keyword"},
        "version": {"type": "long"},
        "number": {"type": "keyword"},
        "customer_id": {"type": "keyword"},
        "customer_email": _KEYWORD,
        "status": {"type": "keyword"},
        "payment_ids": {"type": "keyword"},
        "skus": _KEYWORD,
        "placed_at": {"type": "date"},
        # Product names and the order number, one normalised term per word.
        "search": {"type": "text", "analyzer": "standard"},
        "detail": {"type": "object", "enabled": False},
    },
}


def alias_name(index_prefix: str) -> str:
    return f"{index_prefix}-{NAME}"


# How often, and how long (doubling), a batch waits for an order's missing earlier event:
# mostly another thread is writing it this very moment, so the first waits are short.
GAP_WAITS = 7
GAP_WAIT_S = 0.01


class OrdersProjection:
    name = NAME

    def __init__(
        self,
        index_prefix: str,
        *,
        replicas: int = 0,
        refresh_interval: str = "1s",
        max_attempts: int = 8,
    ) -> None:
        self.alias = alias_name(index_prefix)
        self.replicas = replicas
        self.refresh_interval = refresh_interval
        self.max_attempts = max_attempts

    def ensure_index(self, client: Elasticsearch) -> None:
        ensure_index(
            client,
            self.alias,
            MAPPING,
            replicas=self.replicas,
            refresh_interval=self.refresh_interval,
            remedy=REPLAY_REMEDY,
        )

    def project(self, client: Elasticsearch, events: Sequence[EventEnvelope]) -> bool:
        """Apply the batch's order events. When an order's event arrived before its
        predecessor, wait briefly for it (another worker thread is most likely applying it at
        this moment, and a broker retry would cost far more), then raise `EventGapError`
        (after writing whatever could be applied) so the batch is retried later."""
        grouped = events_by_order(events)
        if not grouped:
            return False
        for attempt in range(1, GAP_WAITS + 1):
            try:
                write_orders(client, self.alias, grouped, self.max_attempts)
                return True
            except EventGapError:
                if attempt == GAP_WAITS:
                    raise
                time.sleep(GAP_WAIT_S * 2 ** (attempt - 1))  # mget reads in real time
        return True


def orders_projection(
    index_prefix: str, *, replicas: int = 0, refresh_interval: str = "1s"
) -> OrdersProjection:
    """The factory the worker uses (one replica or more on a cluster of several nodes)."""
    return OrdersProjection(index_prefix, replicas=replicas, refresh_interval=refresh_interval)


# Versioned read-modify-write ----------------------------------------------------------------


def write_orders(
    client: Elasticsearch,
    index: str,
    events: Mapping[str, Sequence[EventEnvelope]],
    max_attempts: int = 8,
) -> None:
    """For each order: read its document, apply the events not in it yet, and write it back
    guarded by `if_seq_no`/`if_primary_term` (`create` for a new order). A document someone
    else wrote in between is read and applied to again. Raises the first `EventGapError`
    once everything that could be applied is written."""
    pending = dict(events)
    gaps: dict[str, EventGapError] = {}
    for attempt in range(max_attempts):
        operations, found_gaps = _operations(client, index, pending)
        gaps = {order_id: gap for order_id, gap in gaps.items() if order_id not in pending}
        gaps |= found_gaps
        conflicts: set[str] = set()
        if operations:
            response = client.bulk(operations=operations, refresh=False)
            for item in response["items"]:
                (action,) = item.values()
                if action["status"] == 409:
                    conflicts.add(action["_id"])
                elif action["status"] >= 300:
                    raise ProjectionWriteError(f"{index}/{action['_id']}: {action.get('error')}")
        pending = {order_id: pending[order_id] for order_id in conflicts}
        if not pending:
            if gaps:
                raise next(iter(gaps.values()))
            return
        time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # noqa: S311 - jitter, not security
    raise ProjectionWriteError(
        f"{len(pending)} {NAME} documents kept conflicting after {max_attempts} attempts"
    )


def _operations(
    client: Elasticsearch, index: str, events: Mapping[str, Sequence[EventEnvelope]]
) -> tuple[list[dict[str, Any]], dict[str, EventGapError]]:
    found = client.mget(index=index, ids=list(events), source=["detail"])
    operations: list[dict[str, Any]] = []
    gaps: dict[str, EventGapError] = {}
    for doc in found["docs"]:
        if "error" in doc:
            raise ProjectionWriteError(f"{index}/{doc['_id']}: {doc['error']}")
        order_id = doc["_id"]
        current: OrderState | None = None
        if doc.get("found"):
            current = decode_state(doc["_source"]["detail"])
        state, gap = advance(current, events[order_id])
        if gap is not None:
            gaps[order_id] = gap
        if state is None or state is current:
            continue
        if current is None:
            operations.append({"create": {"_index": index, "_id": order_id}})
        else:
            guard = {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]}
            operations.append({"index": {"_index": index, "_id": order_id, **guard}})
        operations.append(document(state))
    return operations, gaps
