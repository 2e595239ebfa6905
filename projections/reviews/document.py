"""The `reviews` read model's document: one per review, the review as its newest event (or the
write side, for a rebuild) left it. No Elasticsearch here."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from commerce.domain.review import Review, ReviewEvent
from commerce.ports.review_views import ReviewView


class ReviewSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """A review at `version`."""

    review_id: UUID
    product_id: UUID
    version: int
    author: str
    stars: int
    title: str
    body: str
    hidden: bool
    posted_at: datetime
    updated_at: datetime


def snapshot_from_event(event: ReviewEvent, version: int) -> ReviewSnapshot:
    return ReviewSnapshot(
        review_id=event.review_id,
        product_id=event.product_id,
        version=version,
        author=event.author,
        stars=event.text.stars,
        title=event.text.title,
        body=event.text.body,
        hidden=event.hidden,
        posted_at=event.posted_at,
        updated_at=event.updated_at,
    )


def snapshot_of(review: Review) -> ReviewSnapshot:
    """The review as the write side holds it (rebuild, verification)."""
    return ReviewSnapshot(
        review_id=review.id,
        product_id=review.product_id,
        version=review.version,
        author=review.author,
        stars=review.text.stars,
        title=review.text.title,
        body=review.text.body,
        hidden=review.hidden,
        posted_at=review.posted_at,
        updated_at=review.updated_at,
    )


def document(snapshot: ReviewSnapshot) -> dict[str, Any]:
    return {
        "id": str(snapshot.review_id),
        "product_id": str(snapshot.product_id),
        "version": snapshot.version,
        "hidden": snapshot.hidden,
        "stars": snapshot.stars,
        "posted_at": msgspec.to_builtins(snapshot.posted_at),
        "updated_at": msgspec.to_builtins(snapshot.updated_at),
        "display": {"author": snapshot.author, "title": snapshot.title, "body": snapshot.body},
    }


def view_from_source(source: dict[str, Any]) -> ReviewView:
    display = source["display"]
    return ReviewView(
        id=UUID(source["id"]),
        product_id=UUID(source["product_id"]),
        rating=source["stars"],
        title=display["title"],
        body=display["body"],
        author=display["author"],
        # Only a customer with a delivered order of the product can post one.
        verified=True,
        hidden=source["hidden"],
        posted_at=datetime.fromisoformat(source["posted_at"]),
        updated_at=datetime.fromisoformat(source["updated_at"]),
    )
