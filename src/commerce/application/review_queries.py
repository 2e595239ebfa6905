"""Query handlers of reviews: they read the `reviews` read model only."""

from __future__ import annotations

from uuid import UUID

from commerce.domain.errors import DomainValidationError, NotFoundError
from commerce.ports.product_search import MAX_LIMIT, InvalidCursorError
from commerce.ports.review_views import ReviewPage, ReviewQuery, ReviewView, ReviewViews


async def list_reviews(query: ReviewQuery, views: ReviewViews) -> ReviewPage:
    """A product's listed reviews; a product nobody reviewed (or none known) has none."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise DomainValidationError("limit", f"must be between 1 and {MAX_LIMIT}")
    try:
        return await views.list_reviews(query)
    except InvalidCursorError as error:
        raise DomainValidationError("cursor", str(error)) from None


async def get_review(product_id: UUID, review_id: UUID, views: ReviewViews) -> ReviewView:
    """Raise `NotFoundError` for an unknown or hidden review, or one of another product."""
    review = await views.get_review(review_id)
    if review is None or review.product_id != product_id:
        raise NotFoundError(f"no review {review_id}")
    return review
