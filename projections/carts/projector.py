"""The `carts` projector: each cart event becomes the cart's snapshot, and the newest snapshot of
each cart in a batch replaces its document.

Every cart event carries the cart's resulting lines and code, so a document is simply replaced
by the newest event. Writes use Elasticsearch external versioning (version = the cart's
`aggregate_version`): the server keeps a document only for a strictly greater version, so a
duplicate or late old event is a version conflict, which is success here. No scripts (the bare
server has no painless). An emptied cart is a document with no lines, never a delete: a deleted
document forgets its version after `index.gc_deletes` and a replayed old event could resurrect
it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from elasticsearch import Elasticsearch

from commerce.domain.cart import CART_EVENTS
from commerce.domain.event_types import EVENTS
from commerce.domain.events import EventEnvelope, UnknownEventError
from projections.carts.document import CartSnapshot, document
from projections.carts.mapping import MAPPING, NAME
from projections.indices import IndexedProjection, ProjectionWriteError

AGGREGATE_TYPE = "cart"
HANDLED_TYPES = frozenset(event_type.type_name() for event_type in CART_EVENTS)


# Events -> snapshots ------------------------------------------------------------------------


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
        promo_code=event.promo_code,
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


# The projection -----------------------------------------------------------------------------


class CartsProjection(IndexedProjection):
    name = NAME
    mapping = MAPPING

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
