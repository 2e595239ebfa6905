"""Reviews and product ratings in PostgreSQL: one row each, saved with the version checks every
aggregate has. A review's text is columns of its row; the unique (product, customer) makes a
second first review, racing the first, an `AlreadyExistsError` (and its handler runs again)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select

from commerce.adapters.postgres.prepared import Prepared, Row
from commerce.adapters.postgres.repository import TrackingRepository, row_writes
from commerce.adapters.postgres.tables import product_ratings, reviews
from commerce.adapters.postgres.writes import Write
from commerce.domain.errors import NotFoundError
from commerce.domain.rating import ProductRating
from commerce.domain.review import Review, ReviewText


class PostgresReviewRepository(TrackingRepository[Review]):
    async def get(self, review_id: UUID) -> Review:
        row = await self.connection.fetch_one(_BY_ID, {"id": review_id})
        if row is None:
            raise NotFoundError(f"no review {review_id}")
        return self._track(review_from_row(row))

    async def find_by_author(self, product_id: UUID, customer_id: UUID) -> Review | None:
        values = {"product_id": product_id, "customer_id": customer_id}
        row = await self.connection.fetch_one(_BY_AUTHOR, values)
        return None if row is None else self._track(review_from_row(row))

    def writes(self, changes: Sequence[tuple[Review, int]]) -> list[Write]:
        return row_writes(reviews, "id", changes, _review_row, "review")


class PostgresProductRatingRepository(TrackingRepository[ProductRating]):
    async def get(self, product_id: UUID) -> ProductRating:
        row = await self.connection.fetch_one(_RATING, {"product_id": product_id})
        rating = ProductRating(product_id=product_id) if row is None else rating_from_row(row)
        return self._track(rating)

    def writes(self, changes: Sequence[tuple[ProductRating, int]]) -> list[Write]:
        return row_writes(product_ratings, "product_id", changes, _rating_row, "product rating")


def _param(column: Any) -> Any:
    return bindparam(column.key, type_=column.type)


_BY_ID = Prepared(select(reviews).where(reviews.c.id == _param(reviews.c.id)))
_BY_AUTHOR = Prepared(
    select(reviews).where(
        reviews.c.product_id == _param(reviews.c.product_id),
        reviews.c.customer_id == _param(reviews.c.customer_id),
    )
)
_RATING = Prepared(
    select(product_ratings).where(
        product_ratings.c.product_id == _param(product_ratings.c.product_id)
    )
)


def _review_row(review: Review) -> dict[str, Any]:
    return {
        "id": review.id,
        "version": review.version,
        "product_id": review.product_id,
        "customer_id": review.customer_id,
        "author": review.author,
        "stars": review.text.stars,
        "title": review.text.title,
        "body": review.text.body,
        "hidden": review.hidden,
        "posted_at": review.posted_at,
        "updated_at": review.updated_at,
    }


def review_from_row(row: Row) -> Review:
    return Review(
        review_id=row["id"],
        product_id=row["product_id"],
        customer_id=row["customer_id"],
        author=row["author"],
        text=ReviewText(stars=row["stars"], title=row["title"], body=row["body"]),
        posted_at=row["posted_at"],
        updated_at=row["updated_at"],
        hidden=row["hidden"],
        version=row["version"],
    )


def _rating_row(rating: ProductRating) -> dict[str, Any]:
    return {
        "product_id": rating.product_id,
        "version": rating.version,
        "count": rating.count,
        "stars": rating.stars,
    }


def rating_from_row(row: Row) -> ProductRating:
    return ProductRating(
        product_id=row["product_id"],
        count=row["count"],
        stars=row["stars"],
        version=row["version"],
    )
