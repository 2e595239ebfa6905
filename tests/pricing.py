"""Builders of sales, promo codes and lines to price, for the pricing tests."""

import uuid
from datetime import datetime, timedelta

from commerce.domain.pricing import (
    Discount,
    PricingLine,
    ProductRef,
    PromoCode,
    PromoTerms,
    Sale,
    SaleTargets,
)
from commerce.domain.values import Money
from tests.support import NOW, eur

KETTLE = ProductRef(product_id=uuid.uuid4(), category="kitchen/kettles", brand="Acme")
DAY = timedelta(days=1)


def percent(value: int) -> Discount:
    return Discount(percent_off=value)


def amount(value: int) -> Discount:
    return Discount(amount_off=eur(value))


def a_sale(
    discount: Discount,
    applies_to: SaleTargets | None = None,
    *,
    starts_at: datetime = NOW,
    ends_at: datetime = NOW + DAY,
    now: datetime = NOW,
) -> Sale:
    return Sale.create(
        sale_id=uuid.uuid4(),
        name="Winter sale",
        discount=discount,
        applies_to=applies_to or SaleTargets(categories=("kitchen",)),
        starts_at=starts_at,
        ends_at=ends_at,
        currency="EUR",
        now=now,
    )


def a_code(
    discount: Discount,
    *,
    code: str = "WINTER10",
    min_subtotal: Money | None = None,
    max_redemptions: int | None = None,
    per_customer_limit: int | None = None,
    starts_at: datetime = NOW,
    ends_at: datetime = NOW + DAY,
    created_at: datetime = NOW,
) -> PromoCode:
    terms = PromoTerms(
        discount=discount,
        min_subtotal=min_subtotal,
        max_redemptions=max_redemptions,
        per_customer_limit=per_customer_limit,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    return PromoCode.create(code=code, terms=terms, currency="EUR", now=created_at)


def a_line(list_price: int, quantity: int = 1, product: ProductRef = KETTLE) -> PricingLine:
    return PricingLine(
        sku=f"SKU-{list_price}", product=product, quantity=quantity, list_unit_price=eur(list_price)
    )
