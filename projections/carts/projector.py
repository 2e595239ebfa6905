"""The `carts` read model: one document per customer holding the lines of the newest cart event.

The alias `<prefix>-carts` points at `<prefix>-carts-v<N>`. Every cart event carries the
cart's resulting lines, so a document is simply replaced by the newest event. Writes use
Elasticsearch external versioning (version = the cart's `aggregate_version`): the server keeps
a document only for a strictly greater version, so a duplicate or late old event is a version
conflict, which is success here. No scripts (the bare server has no painless). An emptied
cart is a document with no lines, never a delete: a deleted document forgets its version after
`index.gc_deletes` and a replayed old event could resurrect it.

Prices are not kept: `GET /v1/cart` prices the lines from the `products` read model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec
from elasticsearch import Elasticsearch

from commerce.domain.cart import CART_EVENTS, CartLine
from commerce.domain.event_types import EVENTS
from commerce.domain.events import EventEnvelope, UnknownEventError
from projections.indices import REPLAY_REMEDY, ProjectionWriteError, ensure_index

NAME = "carts"
# Bump on a change the server cannot apply in place (a field's type).
MAPPING_VERSION = 1
AGGREGATE_TYPE = "cart"

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"model": NAME, "mapping_version": MAPPING_VERSION},
    "properties": {
        "customer_id": {"type": "keyword"},
        # Read back whole by id, never searched.
        "lines": {"type": "object", "enabled": False},
        "version": {"type": "long"},
    },
}

HANDLED_TYPES = frozenset(event_type.type_name() for event_type in CART_EVENTS)


class CartSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """A cart as one event left it."""

    customer_id: str
    version: int
    lines: list[CartLine]


def alias_name(index_prefix: str) -> str:
    return f"{index_prefix}-{NAME}"


# Pure: events -> documents -------------------------------------------------------------------


def snapshot_from_event(envelope: EventEnvelope) -> CartSnapshot | None:
    """The cart one event leaves, or None for an event this model ignores."""
    if envelope.aggregate_type != AGGREGATE_TYPE or envelope.type not in HANDLED_TYPES:
        return None
    try:
        event = EVENTS.decode(envelope)
    except UnknownEventError:
        return None
    if not isinstance(event, CART_EVENTS):
        return None
    return CartSnapshot(
        customer_id=envelope.aggregate_id,
        version=envelope.aggregate_version,
        lines=list(event.lines),
    )


def newest_by_cart(envelopes: Iterable[EventEnvelope]) -> dict[str, CartSnapshot]:
    """The newest snapshot of each cart in a batch, whatever order the events came in."""
    newest: dict[str, CartSnapshot] = {}
    for envelope in envelopes:
        snapshot = snapshot_from_event(envelope)
        if snapshot is None:
            continue
        known = newest.get(snapshot.customer_id)
        if known is None or snapshot.version > known.version:
            newest[snapshot.customer_id] = snapshot
    return newest


def document(snapshot: CartSnapshot) -> dict[str, Any]:
    return {
        "customer_id": snapshot.customer_id,
        "lines": msgspec.to_builtins(snapshot.lines),
        "version": snapshot.version,
    }


def lines_from_source(source: Mapping[str, Any]) -> list[CartLine]:
    return msgspec.convert(source.get("lines") or [], list[CartLine])


# The projection ------------------------------------------------------------------------------


class CartsProjection:
    name = NAME

    def __init__(
        self, index_prefix: str, *, replicas: int = 0, refresh_interval: str = "1s"
    ) -> None:
        self.alias = alias_name(index_prefix)
        self.replicas = replicas
        self.refresh_interval = refresh_interval

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
        newest = newest_by_cart(events)
        if not newest:
            return False
        operations: list[dict[str, Any]] = []
        for customer_id, snapshot in newest.items():
            operations.append(
                {
                    "index": {
                        "_index": self.alias,
                        "_id": customer_id,
                        "version": snapshot.version,
                        "version_type": "external",
                    }
                }
            )
            operations.append(document(snapshot))
        response = client.bulk(operations=operations, refresh=False)
        for item in response["items"]:
            (result,) = item.values()
            if result["status"] == 409:
                continue  # the document already holds this version or a newer one
            if result["status"] >= 300:
                raise ProjectionWriteError(f"{self.alias}/{result['_id']}: {result.get('error')}")
        return True


def carts_projection(
    index_prefix: str, *, replicas: int = 0, refresh_interval: str = "1s"
) -> CartsProjection:
    """The factory the worker uses (one replica or more on a cluster of several nodes)."""
    return CartsProjection(index_prefix, replicas=replicas, refresh_interval=refresh_interval)
