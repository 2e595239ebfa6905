"""Catalogue commands: create, change and archive products; each new SKU gets a stock item."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.domain.catalog import Product, ProductDetails, Variant
from commerce.domain.errors import DomainValidationError, VersionMismatchError
from commerce.domain.inventory import StockItem
from commerce.domain.values import Money
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork


class NewVariant(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    price: Money
    attributes: dict[str, str] = {}


class CreateProduct(msgspec.Struct, frozen=True, kw_only=True):
    details: ProductDetails
    variants: list[NewVariant]
    stock: dict[str, int] = {}  # units on hand per SKU to start with (0 for a SKU left out)


class VariantChange(msgspec.Struct, frozen=True, kw_only=True):
    """An existing SKU is re-priced and/or retired; an unknown SKU is added (needs a price)."""

    sku: str
    price: Money | None = None
    attributes: dict[str, str] | None = None  # only for a new SKU
    retired: bool | None = None


class ChangeProduct(msgspec.Struct, frozen=True, kw_only=True):
    product_id: UUID
    details: dict[str, object]  # the ProductDetails fields to change, already validated
    variants: list[VariantChange] = []
    expected_version: int | None = None  # from If-Match


class ArchiveProduct(msgspec.Struct, frozen=True):
    product_id: UUID


@dataclass(frozen=True)
class ProductChanged:
    product: Product
    event_ids: list[UUID]


@command
async def create_product(
    cmd: CreateProduct, uow: UnitOfWork, clock: Clock, currency: str
) -> ProductChanged:
    product, stock = new_product(cmd, clock.now(), currency)
    async with uow:
        uow.products.add(product)
        for item in stock:
            uow.stock.add(item)
        event_ids = await uow.commit()
    return ProductChanged(product, event_ids)


def new_product(
    cmd: CreateProduct, now: datetime, currency: str
) -> tuple[Product, list[StockItem]]:
    """The aggregates a new product is made of: itself, and a stock item per SKU. Raises the
    domain's errors when the command breaks a rule."""
    variants = [Variant(sku=v.sku, price=v.price, attributes=v.attributes) for v in cmd.variants]
    product = Product.create(
        product_id=uuid.uuid4(), details=cmd.details, variants=variants, currency=currency, now=now
    )
    if unknown := sorted(cmd.stock.keys() - {variant.sku for variant in variants}):
        raise DomainValidationError("stock", f"not a SKU of this product: {', '.join(unknown)}")
    stock = [StockItem.open(v.sku, product.id, cmd.stock.get(v.sku, 0)) for v in variants]
    return product, stock


@command
async def change_product(cmd: ChangeProduct, uow: UnitOfWork, currency: str) -> ProductChanged:
    async with uow:
        product = await uow.products.get(cmd.product_id)
        if cmd.expected_version is not None and cmd.expected_version != product.version:
            raise VersionMismatchError(f"product {product.id} is at version {product.version}")
        if cmd.details:
            product.change_details(msgspec.structs.replace(product.details, **cmd.details))
        for change in cmd.variants:
            _apply_variant_change(product, change, currency, uow)
        event_ids = await uow.commit()
    return ProductChanged(product, event_ids)


def _apply_variant_change(
    product: Product, change: VariantChange, currency: str, uow: UnitOfWork
) -> None:
    known = {variant.sku for variant in product.variants}
    if change.sku not in known:
        if change.price is None:
            raise DomainValidationError("variants", f"new variant {change.sku} needs a price")
        product.add_variant(
            Variant(sku=change.sku, price=change.price, attributes=change.attributes or {}),
            currency,
        )
        uow.stock.add(StockItem.open(change.sku, product.id))
        return
    if change.price is not None:
        product.reprice_variant(change.sku, change.price, currency)
    if change.retired:
        product.retire_variant(change.sku)


@command
async def archive_product(cmd: ArchiveProduct, uow: UnitOfWork, clock: Clock) -> ProductChanged:
    async with uow:
        product = await uow.products.get(cmd.product_id)
        product.archive(clock.now())
        event_ids = await uow.commit()
    return ProductChanged(product, event_ids)
