"""The product page: the product from the `products` read model, its reviews (rating,
histogram, a page of them by cursor) from the `reviews` read model, and the "write a review"
form, which posts through the same command and body as `POST /v1/products/{id}/reviews`."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from commerce.application.review_queries import list_reviews
from commerce.application.reviews import PostReview, post_review
from commerce.application.search_products import get_product
from commerce.domain.errors import DomainError, DomainValidationError
from commerce.domain.review import BODY_MAX_LENGTH, MAX_STARS, MIN_STARS, TITLE_MAX_LENGTH
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.order_responses import Cursor
from commerce.entrypoints.http.problems import domain_problem
from commerce.entrypoints.http.reviews import ReviewBody, Sort
from commerce.entrypoints.web.forms import decode, fields
from commerce.entrypoints.web.rendering import after_command, page
from commerce.ports.auth import Principal
from commerce.ports.clock import Clock
from commerce.ports.product_search import ProductSearch
from commerce.ports.review_views import REVIEW_SORTS, ReviewQuery, ReviewSort, ReviewViews
from commerce.ports.unit_of_work import UnitOfWork

REVIEWS_PER_PAGE = 10
SORT_LABELS: dict[ReviewSort, str] = {
    "newest": "Newest first",
    "rating_desc": "Highest rated",
    "rating_asc": "Lowest rated",
}
LIMITS = {"stars": (MIN_STARS, MAX_STARS), "title": TITLE_MAX_LENGTH, "body": BODY_MAX_LENGTH}


class ProductPages(Controller):
    path = "/products/{product_id:uuid}"

    @get("/", name="product")
    async def show(
        self,
        *,
        product_id: FromPath[UUID],
        product_search: Injected[ProductSearch],
        review_views: Injected[ReviewViews],
        sort: Sort = "newest",
        cursor: Cursor = None,
    ) -> Template:
        return await _product_page(
            product_id, product_search, review_views, sort=sort, cursor=cursor
        )

    @post("/reviews", guards=[requires_role("customer")], status_code=303)
    async def review(
        self,
        *,
        product_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        product_search: Injected[ProductSearch],
        review_views: Injected[ReviewViews],
    ) -> Template | Redirect:
        """A second review of the same product replaces the first, as in the API."""
        form = fields(await request.form())
        try:
            data = decode(form, ReviewBody)
            command = PostReview(
                review_id=uuid.uuid4(),
                product_id=product_id,
                customer_id=principal.account_id,
                text=data.text(),
            )
            result = await post_review(command, uow, clock)
        except DomainError as error:
            problem, _ = domain_problem(error)
            field = error.field if isinstance(error, DomainValidationError) else None
            refused = {"error": problem.detail, "bad_field": field, "values": form}
            answer = await _product_page(product_id, product_search, review_views, form=refused)
            answer.status_code = problem.status
            return answer
        return after_command(f"/products/{product_id}#reviews", result.event_ids)


async def _product_page(
    product_id: UUID,
    product_search: ProductSearch,
    review_views: ReviewViews,
    *,
    sort: ReviewSort = "newest",
    cursor: str | None = None,
    form: dict[str, Any] | None = None,
) -> Template:
    """`form`: the review form sent back with what was wrong (`error`, `bad_field`, `values`)."""
    product = await get_product(product_id, product_search)
    query = ReviewQuery(product_id=product_id, sort=sort, limit=REVIEWS_PER_PAGE, cursor=cursor)
    reviews = await list_reviews(query, review_views)
    return page(
        "product.html",
        product=product,
        reviews=reviews,
        sort=sort,
        sorts={name: SORT_LABELS[name] for name in REVIEW_SORTS},
        limits=LIMITS,
        **{"values": {}, "error": None, "bad_field": None} | (form or {}),
    )
