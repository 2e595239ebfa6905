"""Pricing a list of SKU quantities from current catalogue data: one function for the cart
shown to the customer, its write responses, and checkout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

import msgspec

from commerce.domain.cart import CartLine
from commerce.domain.errors import ConflictError
from commerce.domain.values import Money


class NotForSaleError(ConflictError):
    """The product is archived or the variant retired."""

    code = "not_for_sale"


class Offer(msgspec.Struct, frozen=True, kw_only=True):
    """What the catalogue says about a SKU now. `purchasable` is false for an archived
    product or a retired variant; `available` is on hand minus reserved."""

    sku: str
    product_id: UUID
    name: str
    image: str | None
    unit_price: Money
    available: int
    purchasable: bool


class PricedLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    product_id: UUID
    name: str
    image: str | None
    quantity: int
    unit_price: Money
    line_total: Money
    available: bool


class PricedCart(msgspec.Struct, frozen=True, kw_only=True):
    """Unavailable lines are shown but not counted: they cannot be bought."""

    items: list[PricedLine]
    promo_code: str | None
    subtotal: Money
    discount: Money
    total: Money


def price_cart(lines: Sequence[CartLine], offers: Mapping[str, Offer], currency: str) -> PricedCart:
    items = [_price_line(line, offers.get(line.sku), currency) for line in lines]
    subtotal = Money(sum(i.line_total.amount for i in items if i.available), currency)
    discount = Money(0, currency)  # promotions come with their own issue
    return PricedCart(
        items=items,
        promo_code=None,
        subtotal=subtotal,
        discount=discount,
        total=subtotal - discount,
    )


def _price_line(line: CartLine, offer: Offer | None, currency: str) -> PricedLine:
    if offer is None:  # the SKU left the catalogue (or the read model does not have it yet)
        zero = Money(0, currency)
        return PricedLine(
            sku=line.sku,
            product_id=line.product_id,
            name=line.sku,
            image=None,
            quantity=line.quantity,
            unit_price=zero,
            line_total=zero,
            available=False,
        )
    return PricedLine(
        sku=line.sku,
        product_id=offer.product_id,
        name=offer.name,
        image=offer.image,
        quantity=line.quantity,
        unit_price=offer.unit_price,
        line_total=offer.unit_price.times(line.quantity),
        available=offer.purchasable and offer.available >= line.quantity,
    )
