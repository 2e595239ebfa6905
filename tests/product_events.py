"""Catalogue and stock events made by the real aggregates, for read-model tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from commerce.adapters.envelopes import envelopes_for
from commerce.domain.aggregate import Aggregate
from commerce.domain.catalog import Product, ProductDetails, Variant
from commerce.domain.events import EventEnvelope
from commerce.domain.inventory import StockItem
from commerce.domain.pricing import Discount, Sale, SaleTargets
from commerce.domain.rating import ProductRating
from tests.support import NOW, eur

VariantSpec = tuple[str, int, dict[str, str]]


def a_product(
    name: str = "Stainless steel kettle",
    *,
    brand: str = "Acme",
    category: str = "home/goods",
    description: str = "Made to last.",
    variants: list[VariantSpec] | None = None,
    attributes: dict[str, str] | None = None,
    created_at: datetime = NOW,
    image: str | None = "https://img.example/p.jpg",
) -> tuple[Product, list[EventEnvelope]]:
    """A new product and its `ProductCreated` envelope (version 1)."""
    product = unsaved_product(
        name,
        brand=brand,
        category=category,
        description=description,
        variants=variants,
        attributes=attributes,
        created_at=created_at,
        image=image,
    )
    return product, envelopes_for(product, created_at)


def unsaved_product(
    name: str = "Stainless steel kettle",
    *,
    brand: str = "Acme",
    category: str = "home/goods",
    description: str = "Made to last.",
    variants: list[VariantSpec] | None = None,
    attributes: dict[str, str] | None = None,
    created_at: datetime = NOW,
    image: str | None = "https://img.example/p.jpg",
) -> Product:
    """A new product with its `ProductCreated` still pending, for a unit of work to save."""
    return Product.create(
        product_id=uuid.uuid4(),
        details=ProductDetails(
            name=name,
            description=description,
            brand=brand,
            category=category,
            images=[image] if image else [],
            attributes=attributes or {},
        ),
        variants=[
            Variant(sku=sku, price=eur(price), attributes=attrs)
            for sku, price, attrs in variants or [(f"SKU-{uuid.uuid4().hex[:10]}", 2999, {})]
        ],
        currency="EUR",
        now=created_at,
    )


def changes(aggregate: Aggregate, at: datetime = NOW) -> list[EventEnvelope]:
    """The envelopes of whatever was done to `aggregate` since it was last saved."""
    return envelopes_for(aggregate, at)


def stock_of(product: Product, sku: str, on_hand: int) -> tuple[StockItem, list[EventEnvelope]]:
    """A stock item counted at `on_hand`: two events (opened, counted)."""
    item = StockItem.open(sku, product.id)
    item.set_counted(on_hand)
    return item, envelopes_for(item, NOW)


def rated(product: Product, *stars: int) -> tuple[ProductRating, list[EventEnvelope]]:
    """The product's rating after reviews of these stars: one `ProductRatingChanged` each."""
    rating = ProductRating(product_id=product.id)
    for given in stars:
        rating.count_in(given, NOW)
    return rating, envelopes_for(rating, NOW)


def days_later(days: int) -> datetime:
    return NOW + timedelta(days=days)


def sample_catalog_events() -> list[EventEnvelope]:
    """A small catalogue: brands, categories, attributes, stock, an archived product."""
    events: list[EventEnvelope] = []
    for n, (name, brand, category, color) in enumerate(
        [
            ("Stainless steel kettle", "Acme", "kitchen/kettles", "red"),
            ("Café crème grinder", "Forge", "kitchen/grinders", "black"),
            ("Smart television", "Vista", "electronics/tvs", "black"),
            ("Phone case", "Acme", "electronics/phones/cases", "blue"),
        ]
    ):
        sku = f"SAMPLE-{n}"
        product, created = a_product(
            name,
            brand=brand,
            category=category,
            variants=[(sku, 1500 * (n + 1), {"color": color})],
            created_at=days_later(n),
        )
        events += created + stock_of(product, sku, on_hand=n)[1]
    archived, created = a_product("Archived kettle")
    archived.archive(NOW)
    return events + created + changes(archived)


def a_started_sale(
    discount: Discount, applies_to: SaleTargets, at: datetime = NOW
) -> tuple[Sale, list[EventEnvelope]]:
    """A sale the scheduler has started at `at`: its `SaleCreated` and `SaleStarted`."""
    sale = Sale.create(
        sale_id=uuid.uuid4(),
        name="Winter sale",
        discount=discount,
        applies_to=applies_to,
        starts_at=at,
        ends_at=at + timedelta(days=7),
        currency="EUR",
        now=at,
    )
    sale.catch_up(at)
    return sale, envelopes_for(sale, at)
