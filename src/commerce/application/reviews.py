"""Reviews: a verified buyer posts (or replaces) theirs; staff hide and show them. Each change
that moves a product's rating changes its `ProductRating` in the same commit."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.domain.errors import NotFoundError
from commerce.domain.review import NotAVerifiedBuyerError, Review, ReviewText, display_name
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork


class PostReview(msgspec.Struct, frozen=True, kw_only=True):
    """`review_id` is the id a first review gets (a replacement keeps the first one's)."""

    review_id: UUID
    product_id: UUID
    customer_id: UUID
    text: ReviewText


@dataclass(frozen=True)
class ReviewChanged:
    review: Review
    created: bool
    event_ids: list[UUID]


@command
@retried_on_conflict
async def post_review(cmd: PostReview, uow: UnitOfWork, clock: Clock) -> ReviewChanged:
    """404 for an unknown or archived product; 403 `not_a_verified_buyer` unless one of the
    customer's orders holding the product was delivered (read from the orders themselves, not
    a read model). A second review of the same product replaces the first."""
    text = cmd.text.checked()
    async with uow:
        product = await uow.products.get(cmd.product_id)
        if product.archived:
            raise NotFoundError(f"product {cmd.product_id} is archived")
        if not await uow.orders.delivered_to(cmd.customer_id, cmd.product_id):
            raise NotAVerifiedBuyerError()
        author = display_name((await uow.accounts.get(cmd.customer_id)).name)
        rating = await uow.product_ratings.get(cmd.product_id)
        now = clock.now()
        review = await uow.reviews.find_by_author(cmd.product_id, cmd.customer_id)
        if review is None:
            review = Review.post(
                review_id=cmd.review_id,
                product_id=cmd.product_id,
                customer_id=cmd.customer_id,
                author=author,
                text=text,
                now=now,
            )
            uow.reviews.add(review)
            rating.count_in(text.stars, now)
            return ReviewChanged(review, True, await uow.commit())
        before = review.text.stars
        if review.replace(text, author, now) and review.counted:
            rating.recount(before, text.stars, now)
        return ReviewChanged(review, False, await uow.commit())


@command
async def hide_review(review_id: UUID, uow: UnitOfWork, clock: Clock) -> ReviewChanged:
    """Out of the listing and the product's rating; hiding twice changes nothing."""
    return await _moderate(review_id, uow, clock, hide=True)


@command
async def show_review(review_id: UUID, uow: UnitOfWork, clock: Clock) -> ReviewChanged:
    """Listed and counted again; showing a review not hidden changes nothing."""
    return await _moderate(review_id, uow, clock, hide=False)


@retried_on_conflict
async def _moderate(review_id: UUID, uow: UnitOfWork, clock: Clock, *, hide: bool) -> ReviewChanged:
    async with uow:
        review = await uow.reviews.get(review_id)
        now = clock.now()
        changed = review.hide(now) if hide else review.show(now)
        if changed:
            rating = await uow.product_ratings.get(review.product_id)
            (rating.count_out if hide else rating.count_in)(review.text.stars, now)
        return ReviewChanged(review, False, await uow.commit())
