"""A product's rating: how many reviews count and the sum of their stars, kept on the write
side and changed in the same commit as the review that moves it.

One aggregate per product, so two reviews of one product committed at once meet at its
version check: one of them runs again on the other's figures, and the sum never misses a
review (no read-modify-write in the read model, where a redelivered event would count twice).
Each change records `ProductRatingChanged` with the whole figure and the rating's own version,
which the products read model keeps only if newer (as it keeps each SKU's stock).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from commerce.domain.aggregate import Aggregate
from commerce.domain.events import DomainEvent


def average_of(count: int, stars: int) -> float:
    """The average shown, filtered and sorted on: two decimals, 0 with no review."""
    return round(stars / count, 2) if count else 0.0


class ProductRatingChanged(DomainEvent, frozen=True, kw_only=True):
    product_id: UUID
    count: int
    stars: int  # the sum of the counted reviews' stars
    average: float
    at: datetime


RATING_EVENTS = (ProductRatingChanged,)


class ProductRating(Aggregate):
    aggregate_type: ClassVar[str] = "product_rating"

    def __init__(
        self, *, product_id: UUID, count: int = 0, stars: int = 0, version: int = 0
    ) -> None:
        super().__init__(version)
        self.product_id = product_id
        self.count = count
        self.stars = stars

    @property
    def aggregate_id(self) -> str:
        return str(self.product_id)

    @property
    def average(self) -> float:
        return average_of(self.count, self.stars)

    def count_in(self, stars: int, now: datetime) -> None:
        """A review starts counting (posted, or shown again)."""
        self._change(self.count + 1, self.stars + stars, now)

    def count_out(self, stars: int, now: datetime) -> None:
        """A review stops counting (hidden)."""
        self._change(self.count - 1, self.stars - stars, now)

    def recount(self, old_stars: int, new_stars: int, now: datetime) -> None:
        """A counted review's stars changed."""
        if old_stars != new_stars:
            self._change(self.count, self.stars - old_stars + new_stars, now)

    def _change(self, count: int, stars: int, now: datetime) -> None:
        self.count, self.stars = count, stars
        self._record(
            ProductRatingChanged(
                product_id=self.product_id,
                count=count,
                stars=stars,
                average=self.average,
                at=now,
            )
        )
