"""The `reviews` projector: each review event becomes the review's snapshot, and the newest
snapshot of each review in a batch replaces its document.

Every review event carries the whole review, so a document is simply replaced by the newest
event. Writes use external versioning (version = the review's `aggregate_version`): the server
keeps a document only for a strictly greater version, so a duplicate or a late old event is a
version conflict, which is success here (as for carts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from elasticsearch import Elasticsearch

from commerce.domain.event_types import EVENTS
from commerce.domain.events import EventEnvelope
from commerce.domain.review import REVIEW_EVENTS, ReviewEvent
from projections.indices import IndexedProjection, ProjectionWriteError
from projections.reviews.document import ReviewSnapshot, document, snapshot_from_event
from projections.reviews.mapping import MAPPING, NAME

HANDLED_TYPES = frozenset(event_type.type_name() for event_type in REVIEW_EVENTS)


def newest_by_review(envelopes: Iterable[EventEnvelope]) -> dict[str, ReviewSnapshot]:
    """The newest snapshot of each review in a batch, whatever order the events came in."""
    newest: dict[str, ReviewSnapshot] = {}
    for envelope in envelopes:
        if envelope.type not in HANDLED_TYPES:
            continue
        event = EVENTS.decode(envelope)
        assert isinstance(event, ReviewEvent)
        known = newest.get(envelope.aggregate_id)
        if known is None or envelope.aggregate_version > known.version:
            newest[envelope.aggregate_id] = snapshot_from_event(event, envelope.aggregate_version)
    return newest


def write_snapshots(client: Elasticsearch, index: str, snapshots: Iterable[ReviewSnapshot]) -> None:
    """Each snapshot into its document unless the document holds that version or a newer."""
    operations: list[dict[str, Any]] = []
    for snapshot in snapshots:
        operations += [
            {
                "index": {
                    "_index": index,
                    "_id": str(snapshot.review_id),
                    "version": snapshot.version,
                    "version_type": "external",
                }
            },
            document(snapshot),
        ]
    if not operations:
        return
    response = client.bulk(operations=operations, refresh=False)
    for item in response["items"]:
        (result,) = item.values()
        if result["status"] == 409:
            continue  # the document already holds this version or a newer one
        if result["status"] >= 300:
            raise ProjectionWriteError(f"{index}/{result['_id']}: {result.get('error')}")


class ReviewsProjection(IndexedProjection):
    name = NAME
    mapping = MAPPING
    remedy = "run `commerce read-models rebuild reviews`"

    def project(self, client: Elasticsearch, events: Sequence[EventEnvelope]) -> bool:
        newest = newest_by_review(events)
        write_snapshots(client, self.alias, newest.values())
        return bool(newest)
