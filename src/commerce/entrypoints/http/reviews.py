"""Reviews: a verified buyer posts (or replaces) theirs, anyone reads a product's listed ones,
operators hide and show them.

Commands answer from the write side in the shape the listing shows (the read model's own view
of the review, built from the saved review); the queries read the `reviews` read model and
honour `Consistency-Token`.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, Parameter

from commerce.application.review_queries import get_review, list_reviews
from commerce.application.reviews import (
    PostReview,
    ReviewChanged,
    hide_review,
    post_review,
    show_review,
)
from commerce.domain.review import (
    BODY_MAX_LENGTH,
    MAX_STARS,
    MIN_STARS,
    TITLE_MAX_LENGTH,
    ReviewText,
)
from commerce.domain.values import MULTILINE_PATTERN, PRINTABLE_PATTERN
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.idempotency import Idempotency
from commerce.entrypoints.http.order_responses import Cursor, Limit
from commerce.entrypoints.http.problems import problem_specs
from commerce.entrypoints.http.responses import command_headers
from commerce.ports.auth import Principal
from commerce.ports.clock import Clock
from commerce.ports.product_search import DEFAULT_LIMIT
from commerce.ports.review_views import (
    ReviewPage,
    ReviewQuery,
    ReviewSort,
    ReviewView,
    ReviewViews,
)
from commerce.ports.unit_of_work import UnitOfWork
from projections.reviews.document import document, snapshot_of, view_from_source

Sort = Annotated[
    ReviewSort,
    Parameter(description="`newest` (by when written), `rating_desc` or `rating_asc`."),
]


class ReviewBody(msgspec.Struct, frozen=True, kw_only=True):
    """`title` one line; `body` may hold line breaks and tabs, and may be left out."""

    rating: Annotated[int, msgspec.Meta(ge=MIN_STARS, le=MAX_STARS)]
    title: Annotated[
        str, msgspec.Meta(min_length=1, max_length=TITLE_MAX_LENGTH, pattern=PRINTABLE_PATTERN)
    ]
    body: Annotated[str, msgspec.Meta(max_length=BODY_MAX_LENGTH, pattern=MULTILINE_PATTERN)] = ""

    def text(self) -> ReviewText:
        return ReviewText(stars=self.rating, title=self.title, body=self.body)


class ReviewsController(Controller):
    path = "/v1/products/{product_id:uuid}/reviews"
    tags = ["reviews"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @post(
        "/",
        operation_id="postReview",
        summary="Review a product you received (a second review replaces the first)",
        guards=[requires_role("customer")],
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def post(
        self,
        *,
        product_id: FromPath[UUID],
        data: JSONBody[ReviewBody],
        principal: Injected[Principal],
        optional_idempotency: Injected[Idempotency | None],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
    ) -> Response[ReviewView]:
        """201 with `Location` for a first review; 200 when it replaces the customer's
        earlier review of the product (the same review, its count unchanged). 403
        `not_a_verified_buyer` unless one of the customer's orders holding the product was
        delivered; 404 for an unknown or archived product."""
        review_id = (
            optional_idempotency.derived_id("review") if optional_idempotency else uuid.uuid4()
        )
        command = PostReview(
            review_id=review_id,
            product_id=product_id,
            customer_id=principal.account_id,
            text=data.text(),
        )
        result = await post_review(command, uow, clock)
        response = _response(result, status_code=201 if result.created else 200)
        if result.created:
            response.headers["Location"] = f"/v1/products/{product_id}/reviews/{review_id}"
        return response

    @get(
        "/",
        operation_id="listReviews",
        summary="A product's reviews, with its rating and their histogram",
        cache=False,
        # 404: a path whose id is not a UUID matches no route.
        responses=problem_specs(400, 404, 422, 503),
    )
    async def list_product_reviews(
        self,
        *,
        product_id: FromPath[UUID],
        review_views: Injected[ReviewViews],
        sort: Sort = "newest",
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> ReviewPage:
        """Hidden reviews are not listed, nor counted in the rating or the histogram. A
        product without reviews (or unknown) has an empty list."""
        query = ReviewQuery(product_id=product_id, sort=sort, limit=limit, cursor=cursor)
        return await list_reviews(query, review_views)

    @get(
        "/{review_id:uuid}",
        operation_id="getReview",
        summary="One review of a product",
        cache=False,
        responses=problem_specs(400, 404, 422, 503),
    )
    async def read(
        self,
        product_id: FromPath[UUID],
        review_id: FromPath[UUID],
        review_views: Injected[ReviewViews],
    ) -> ReviewView:
        """404 when hidden."""
        return await get_review(product_id, review_id, review_views)


class ReviewsAdminController(Controller):
    path = "/v1/admin/reviews"
    tags = ["reviews admin"]  # noqa: RUF012 (Litestar reads it as a class attribute)
    guards = [requires_role("operator")]  # noqa: RUF012

    @post(
        "/{review_id:uuid}/hide",
        operation_id="hideReview",
        summary="Hide a review: out of the listing and the product's rating",
        status_code=200,
        responses=problem_specs(401, 403, 404, 409),
    )
    async def hide(
        self, review_id: FromPath[UUID], uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Response[ReviewView]:
        """Hiding a hidden review changes nothing. Its author editing it keeps it hidden."""
        return _response(await hide_review(review_id, uow, clock))

    @post(
        "/{review_id:uuid}/unhide",
        operation_id="unhideReview",
        summary="Show a hidden review again, and count it in the rating",
        status_code=200,
        responses=problem_specs(401, 403, 404, 409),
    )
    async def unhide(
        self, review_id: FromPath[UUID], uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Response[ReviewView]:
        return _response(await show_review(review_id, uow, clock))


def _response(result: ReviewChanged, status_code: int = 200) -> Response[ReviewView]:
    # The view the listing shows of this review, from the read model's own builder.
    view = view_from_source(document(snapshot_of(result.review)))
    headers = command_headers(result.event_ids, result.review.version)
    return Response(view, status_code=status_code, headers=headers)
