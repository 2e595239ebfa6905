"""A product's reviews, over the `reviews` read model, and the views it answers with."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

import msgspec

from commerce.ports.product_search import DEFAULT_LIMIT, Rating, Total

ReviewSort = Literal["newest", "rating_desc", "rating_asc"]
REVIEW_SORTS: tuple[ReviewSort, ...] = ("newest", "rating_desc", "rating_asc")


class ReviewQuery(msgspec.Struct, frozen=True, kw_only=True):
    """`newest`: by when the author last wrote it; the ratings' sorts then newest first."""

    product_id: UUID
    sort: ReviewSort = "newest"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


class ReviewView(msgspec.Struct, frozen=True, kw_only=True):
    """A review as shoppers see it: `author` is the reviewer's display name (never their
    email), `verified` says the reviewer received the product (every review here is from a
    delivered order). `hidden` only ever shows `true` to the author and staff."""

    id: UUID
    product_id: UUID
    rating: int
    title: str
    body: str
    author: str
    verified: bool
    hidden: bool
    posted_at: datetime
    updated_at: datetime


class StarCount(msgspec.Struct, frozen=True, kw_only=True):
    """How many listed reviews give `rating` stars."""

    rating: int
    count: int


class ReviewPage(msgspec.Struct, frozen=True, kw_only=True):
    """The listing envelope, with the product's `rating` and `histogram` (5 to 1 stars) over
    every listed review, not only this page's."""

    items: list[ReviewView]
    total: Total
    next_cursor: str | None
    rating: Rating
    histogram: list[StarCount]


class ReviewViews(Protocol):
    """Reads the `reviews` read model. Hidden reviews are never listed nor found."""

    async def list_reviews(self, query: ReviewQuery) -> ReviewPage:
        """Raise `InvalidCursorError` for a cursor this list did not hand out (or of another
        sort or product)."""
        ...

    async def get_review(self, review_id: UUID) -> ReviewView | None: ...
