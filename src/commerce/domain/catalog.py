"""The catalogue: products with variants (SKU, price, attributes), categories, brands."""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import ConflictError, DomainValidationError, NotFoundError
from commerce.domain.events import DomainEvent
from commerce.domain.values import Money, check_sku

_CATEGORY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*){0,5}$")


def check_category(path: str) -> str:
    if not _CATEGORY.match(path):
        raise DomainValidationError(
            "category", "must be a path of 1-6 lowercase segments, e.g. electronics/phones"
        )
    return path


def in_category(category: str, prefix: str) -> bool:
    """Whether `category` is `prefix` or below it (`a/b` is in `a`; `ab` is not)."""
    return category == prefix or category.startswith(prefix + "/")


def category_paths(category: str) -> list[str]:
    """`a/b/c` -> `a`, `a/b`, `a/b/c`: every prefix `category` is `in_category` of."""
    parts = [part for part in category.split("/") if part]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


class Variant(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    price: Money
    attributes: dict[str, str] = {}
    retired: bool = False


class ProductDetails(msgspec.Struct, frozen=True, kw_only=True):
    """The descriptive fields an operator edits as a whole or in part."""

    name: str
    description: str
    brand: str
    category: str
    images: list[str] = []
    attributes: dict[str, str] = {}


# Events -------------------------------------------------------------------------------------


class ProductCreated(DomainEvent, frozen=True, kw_only=True):
    product_id: UUID
    details: ProductDetails
    variants: list[Variant]
    created_at: datetime


class ProductDetailsChanged(DomainEvent, frozen=True, kw_only=True):
    product_id: UUID
    details: ProductDetails


class VariantAdded(DomainEvent, frozen=True, kw_only=True):
    product_id: UUID
    variant: Variant


class VariantRepriced(DomainEvent, frozen=True, kw_only=True):
    product_id: UUID
    sku: str
    price: Money


class VariantRetired(DomainEvent, frozen=True, kw_only=True):
    product_id: UUID
    sku: str


class ProductArchived(DomainEvent, frozen=True, kw_only=True):
    product_id: UUID
    archived_at: datetime


CATALOG_EVENTS = (
    ProductCreated,
    ProductDetailsChanged,
    VariantAdded,
    VariantRepriced,
    VariantRetired,
    ProductArchived,
)


# The aggregate ------------------------------------------------------------------------------


class ArchivedProductError(ConflictError):
    code = "product_archived"


class DuplicateSkuError(ConflictError):
    code = "duplicate_sku"


class Product(Aggregate):
    aggregate_type: ClassVar[str] = "product"

    def __init__(
        self,
        *,
        product_id: UUID,
        details: ProductDetails,
        variants: list[Variant],
        created_at: datetime,
        archived: bool = False,
        version: int = 0,
    ) -> None:
        super().__init__(version)
        self.id = product_id
        self.details = details
        self.variants = variants
        self.created_at = created_at
        self.archived = archived

    @property
    def aggregate_id(self) -> str:
        return str(self.id)

    @classmethod
    def create(
        cls,
        *,
        product_id: UUID,
        details: ProductDetails,
        variants: list[Variant],
        currency: str,
        now: datetime,
    ) -> Product:
        _check_details(details)
        if not variants:
            raise DomainValidationError("variants", "a product needs at least one variant")
        skus = [variant.sku for variant in variants]
        if len(set(skus)) != len(skus):
            raise DomainValidationError("variants", "each variant needs its own SKU")
        for variant in variants:
            _check_variant(variant, currency)
        product = cls(product_id=product_id, details=details, variants=[], created_at=now)
        product.variants = list(variants)
        product._record(
            ProductCreated(
                product_id=product_id, details=details, variants=variants, created_at=now
            )
        )
        return product

    def change_details(self, details: ProductDetails) -> None:
        self._ensure_live()
        _check_details(details)
        if details != self.details:
            self.details = details
            self._record(ProductDetailsChanged(product_id=self.id, details=details))

    def add_variant(self, variant: Variant, currency: str) -> None:
        self._ensure_live()
        _check_variant(variant, currency)
        if any(existing.sku == variant.sku for existing in self.variants):
            raise ConflictError(f"SKU {variant.sku} already belongs to this product")
        self.variants.append(variant)
        self._record(VariantAdded(product_id=self.id, variant=variant))

    def reprice_variant(self, sku: str, price: Money, currency: str) -> None:
        self._ensure_live()
        variant = self.variant(sku)
        _check_price(price, currency)
        if variant.price != price:
            self._replace(msgspec.structs.replace(variant, price=price))
            self._record(VariantRepriced(product_id=self.id, sku=sku, price=price))

    def retire_variant(self, sku: str) -> None:
        self._ensure_live()
        variant = self.variant(sku)
        if not variant.retired:
            self._replace(msgspec.structs.replace(variant, retired=True))
            self._record(VariantRetired(product_id=self.id, sku=sku))

    def archive(self, now: datetime) -> None:
        if not self.archived:
            self.archived = True
            self._record(ProductArchived(product_id=self.id, archived_at=now))

    def variant(self, sku: str) -> Variant:
        for variant in self.variants:
            if variant.sku == sku:
                return variant
        raise NotFoundError(f"no variant {sku} in product {self.id}")

    def _replace(self, variant: Variant) -> None:
        self.variants = [variant if v.sku == variant.sku else v for v in self.variants]

    def _ensure_live(self) -> None:
        if self.archived:
            raise ArchivedProductError(f"product {self.id} is archived")


def _check_details(details: ProductDetails) -> None:
    check_category(details.category)
    for field, value in (("name", details.name), ("brand", details.brand)):
        if not value.strip():
            raise DomainValidationError(field, "must not be blank")


def _check_variant(variant: Variant, currency: str) -> None:
    check_sku(variant.sku)
    _check_price(variant.price, currency)


def _check_price(price: Money, currency: str) -> None:
    if price.currency != currency:
        raise DomainValidationError("price.currency", f"the store sells in {currency}")
    if price.amount <= 0:
        raise DomainValidationError("price.amount", "must be positive")
