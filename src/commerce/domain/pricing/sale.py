"""A sale: a catalogue discount on some products (by id, category or brand) for a time.

A sale is in force from `starts_at` (included) to `ends_at` (excluded) unless deleted; ending
it early moves `ends_at` to that instant. Carts, quotes and checkout price from those instants
exactly. The search read model follows the scheduler instead, which calls `catch_up` to record
`SaleStarted` and `SaleEnded` when they are due: each at most once, so a scheduler restarted
mid-way, or two of them, record nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

import msgspec

from commerce.domain.aggregate import Aggregate
from commerce.domain.catalog import check_category, in_category
from commerce.domain.errors import ConflictError, DomainValidationError, NotFoundError
from commerce.domain.events import DomainEvent
from commerce.domain.pricing.discount import Discount
from commerce.domain.pricing.window import check_window

MAX_PRODUCTS = 10_000
MAX_NAMES = 100  # categories, and brands
MAX_NAME_LENGTH = 200


class ProductRef(msgspec.Struct, frozen=True, kw_only=True):
    """What a sale can pick a product by."""

    product_id: UUID
    category: str
    brand: str


def brand_key(brand: str) -> str:
    """A brand as sales compare it: case and runs of spaces ignored."""
    return " ".join(brand.split()).casefold()


class SaleTargets(msgspec.Struct, frozen=True, kw_only=True):
    """A product is on sale when any of these picks it: its id, a category it is in (a path
    prefix: `electronics` picks `electronics/phones`), or its brand (case ignored)."""

    product_ids: frozenset[UUID] = frozenset()
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()

    def covers(self, product: ProductRef) -> bool:
        if product.product_id in self.product_ids:
            return True
        if any(in_category(product.category, prefix) for prefix in self.categories):
            return True
        brand = brand_key(product.brand)
        return any(brand_key(name) == brand for name in self.brands)

    def check(self) -> None:
        if not (self.product_ids or self.categories or self.brands):
            raise DomainValidationError(
                "applies_to", "name at least one of product_ids, categories or brands"
            )
        if len(self.product_ids) > MAX_PRODUCTS:
            raise DomainValidationError("applies_to.product_ids", f"at most {MAX_PRODUCTS}")
        for field, names in (("categories", self.categories), ("brands", self.brands)):
            if len(names) > MAX_NAMES:
                raise DomainValidationError(f"applies_to.{field}", f"at most {MAX_NAMES}")
        for category in self.categories:
            check_category(category)
        if any(not brand.strip() for brand in self.brands):
            raise DomainValidationError("applies_to.brands", "must not be blank")


class SaleTerms(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    discount: Discount
    applies_to: SaleTargets
    starts_at: datetime
    ends_at: datetime


class SaleStatus(StrEnum):
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    ENDED = "ended"
    DELETED = "deleted"


# Events carry the terms, so the products read model needs nothing else to apply or lift one.


class SaleEvent(DomainEvent, frozen=True, kw_only=True):
    sale_id: UUID
    terms: SaleTerms
    at: datetime


class SaleCreated(SaleEvent, frozen=True, kw_only=True):
    pass


class SaleStarted(SaleEvent, frozen=True, kw_only=True):
    pass


class SaleEnded(SaleEvent, frozen=True, kw_only=True):
    early: bool  # ended by staff before its `ends_at` (then `terms.ends_at` is `at`)


class SaleDeleted(SaleEvent, frozen=True, kw_only=True):
    pass


SALE_EVENTS = (SaleCreated, SaleStarted, SaleEnded, SaleDeleted)


class SaleNotStartedError(ConflictError):
    code = "sale_not_started"


class Sale(Aggregate):
    aggregate_type: ClassVar[str] = "sale"

    def __init__(
        self,
        *,
        sale_id: UUID,
        terms: SaleTerms,
        created_at: datetime,
        started: bool = False,
        ended: bool = False,
        ended_early: bool = False,
        deleted: bool = False,
        version: int = 0,
    ) -> None:
        super().__init__(version)
        self.id = sale_id
        self.terms = terms
        self.created_at = created_at
        self.started = started  # `started` and `ended` say what the scheduler has recorded
        self.ended = ended
        self.ended_early = ended_early
        self.deleted = deleted

    @property
    def aggregate_id(self) -> str:
        return str(self.id)

    @classmethod
    def create(
        cls,
        *,
        sale_id: UUID,
        name: str,
        discount: Discount,
        applies_to: SaleTargets,
        starts_at: datetime,
        ends_at: datetime,
        currency: str,
        now: datetime,
    ) -> Sale:
        _check_name(name)
        discount.check(currency)
        applies_to.check()
        check_window(starts_at, ends_at, now)
        terms = SaleTerms(
            name=name.strip(),
            discount=discount,
            applies_to=applies_to,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        sale = cls(sale_id=sale_id, terms=terms, created_at=now)
        sale._record(SaleCreated(sale_id=sale_id, terms=terms, at=now))
        return sale

    def in_force(self, at: datetime) -> bool:
        return not self.deleted and self.terms.starts_at <= at < self.terms.ends_at

    def status(self, at: datetime) -> SaleStatus:
        if self.deleted:
            return SaleStatus.DELETED
        if at < self.terms.starts_at:
            return SaleStatus.SCHEDULED
        return SaleStatus.ACTIVE if at < self.terms.ends_at else SaleStatus.ENDED

    @property
    def next_due_at(self) -> datetime | None:
        """When the scheduler next has something to record; None once there is nothing."""
        if self.deleted or self.ended:
            return None
        return self.terms.ends_at if self.started else self.terms.starts_at

    def catch_up(self, now: datetime) -> bool:
        """Record the start and the end that are due by `now`; False if none was."""
        if self.next_due_at is None or now < self.next_due_at:
            return False
        if not self.started and now < self.terms.ends_at:
            self.started = True
            self._record(SaleStarted(sale_id=self.id, terms=self.terms, at=now))
        if now >= self.terms.ends_at:
            self.ended = True
            self._record(SaleEnded(sale_id=self.id, terms=self.terms, at=now, early=False))
        return True

    def end_early(self, now: datetime) -> bool:
        """End a sale in force now; False if it has ended already. A sale that has not
        started cannot end: delete it instead."""
        self._ensure_not_deleted()
        if now < self.terms.starts_at:
            raise SaleNotStartedError(f"sale {self.id} has not started: delete it instead")
        if self.ended or now >= self.terms.ends_at:
            return False
        self.terms = msgspec.structs.replace(self.terms, ends_at=now)
        self.ended = self.ended_early = True
        self._record(SaleEnded(sale_id=self.id, terms=self.terms, at=now, early=True))
        return True

    def delete(self, now: datetime) -> bool:
        """Withdraw the sale whatever its state; False if it was deleted already."""
        if self.deleted:
            return False
        self.deleted = True
        self._record(SaleDeleted(sale_id=self.id, terms=self.terms, at=now))
        return True

    def _ensure_not_deleted(self) -> None:
        if self.deleted:
            raise NotFoundError(f"sale {self.id} was deleted")


def _check_name(name: str) -> None:
    if not name.strip():
        raise DomainValidationError("name", "must not be blank")
    if len(name) > MAX_NAME_LENGTH:
        raise DomainValidationError("name", f"at most {MAX_NAME_LENGTH} characters")
