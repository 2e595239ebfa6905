"""The in-memory twin of the review views: the same documents (built by the projector's own
functions from the same events, newest version kept), answered by the read model's own
in-memory evaluation of the query (`projections.reviews.matching`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from commerce.domain.events import EventEnvelope
from commerce.ports.review_views import ReviewPage, ReviewQuery, ReviewView
from projections.paging import TRACK_TOTAL_HITS
from projections.reviews import matching
from projections.reviews.document import document, view_from_source
from projections.reviews.projector import newest_by_review


class InMemoryReviewViews:
    def __init__(self, track_total_hits: int = TRACK_TOTAL_HITS) -> None:
        self._documents: dict[str, dict[str, Any]] = {}
        self._track_total_hits = track_total_hits

    def apply(self, envelopes: Iterable[EventEnvelope]) -> None:
        for review_id, snapshot in newest_by_review(envelopes).items():
            held = self._documents.get(review_id)
            if held is None or snapshot.version > held["version"]:
                self._documents[review_id] = document(snapshot)

    async def list_reviews(self, query: ReviewQuery) -> ReviewPage:
        documents = self._documents.values()
        return matching.list_reviews(documents, query, self._track_total_hits)

    async def get_review(self, review_id: UUID) -> ReviewView | None:
        source = self._documents.get(str(review_id))
        return None if source is None or source["hidden"] else view_from_source(source)
