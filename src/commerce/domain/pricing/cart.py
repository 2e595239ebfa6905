"""A cart priced now: its lines with the current catalogue's offers, through `price()` with the
sales in force and the cart's promo code. The cart view, its write responses, the quote and
checkout all price this way, so for the same inputs at the same instant they agree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from commerce.domain.cart import CartLine
from commerce.domain.errors import ConflictError
from commerce.domain.pricing.promo_code import PromoCode
from commerce.domain.pricing.quote import PriceBreakdown, PricingLine, QuotedLine, price, sale_price
from commerce.domain.pricing.rejection import CodeRejection
from commerce.domain.pricing.sale import ProductRef, Sale
from commerce.domain.values import Money


class NotForSaleError(ConflictError):
    """The product is archived or the variant retired."""

    code = "not_for_sale"


class Offer(msgspec.Struct, frozen=True, kw_only=True):
    """What the catalogue says about a SKU now. `purchasable` is false for an archived
    product or a retired variant; `available` is on hand minus reserved; `category` and
    `brand` are what a sale may pick the product by."""

    sku: str
    product_id: UUID
    name: str
    image: str | None
    unit_price: Money
    available: int
    purchasable: bool
    category: str
    brand: str

    @property
    def product(self) -> ProductRef:
        return ProductRef(product_id=self.product_id, category=self.category, brand=self.brand)


class CartContents(msgspec.Struct, frozen=True, kw_only=True):
    """A cart's lines and code, with the offer of each line's SKU that the catalogue knows."""

    lines: list[CartLine]
    promo_code: str | None
    offers: dict[str, Offer]

    @property
    def products(self) -> list[ProductRef]:
        """The products of the lines' offers, each once: what the sales are looked up for."""
        refs = {offer.product_id: offer.product for offer in self.offers.values()}
        return list(refs.values())


@dataclass(frozen=True)
class PricingContext:
    """What `price()` needs besides the lines, read at one instant: the sales in force, and
    the cart's code as stored (None if the code is unknown) with how often the shopper has
    used it."""

    at: datetime
    currency: str
    sales: Sequence[Sale] = ()
    code: PromoCode | None = None
    customer_redemptions: int = 0


class PricedLine(msgspec.Struct, frozen=True, kw_only=True):
    """`unit_price` is what one unit costs now (after a sale), `list_unit_price` before."""

    sku: str
    product_id: UUID
    name: str
    image: str | None
    quantity: int
    list_unit_price: Money
    unit_price: Money
    line_total: Money
    available: bool


class PricedCart(msgspec.Struct, frozen=True, kw_only=True):
    """Unavailable lines are shown but not counted: they cannot be bought. A code that does
    not apply (any more) takes nothing off, and `promo_code_rejection` says why.

    `pricing` is `current` when priced with the sales in force and the code's terms now,
    `estimated` when those could not be read (`estimate_cart`)."""

    items: list[PricedLine]
    promo_code: str | None
    subtotal: Money
    discount: Money
    total: Money
    promo_code_rejection: CodeRejection | None = None
    pricing: Literal["current", "estimated"] = "current"


def price_cart(contents: CartContents, context: PricingContext) -> PricedCart:
    offers = contents.offers
    available = [line for line in contents.lines if _available(line, offers.get(line.sku))]
    breakdown = price(
        [_pricing_line(line, offers[line.sku]) for line in available],
        sales=context.sales,
        at=context.at,
        currency=context.currency,
        code=context.code,
        customer_redemptions=context.customer_redemptions,
    )
    quoted = {line.sku: line for line in breakdown.lines}
    items = [
        _priced_line(line, offers.get(line.sku), quoted.get(line.sku), context)
        for line in contents.lines
    ]
    return _priced(items, breakdown, contents.promo_code)


def estimate_cart(contents: CartContents, at: datetime, currency: str) -> PricedCart:
    """The cart at list prices, its code shown but neither checked nor taken off: what the
    offers alone say when the sales in force and the code's terms cannot be read (the write
    side is down). A sale or a code only ever takes off, so the estimate is never below
    what the same offers cost priced for real; checkout prices for real."""
    without_code = msgspec.structs.replace(contents, promo_code=None)
    at_list_prices = price_cart(without_code, PricingContext(at=at, currency=currency))
    return msgspec.structs.replace(
        at_list_prices, promo_code=contents.promo_code, pricing="estimated"
    )


def _priced(items: list[PricedLine], breakdown: PriceBreakdown, code: str | None) -> PricedCart:
    rejection = breakdown.promo_code_rejection
    if code is not None and breakdown.promo_code is None:
        rejection = CodeRejection.unknown(code)
    return PricedCart(
        items=items,
        promo_code=code,
        subtotal=breakdown.subtotal,
        discount=breakdown.discount,
        total=breakdown.total,
        promo_code_rejection=rejection,
    )


def _available(line: CartLine, offer: Offer | None) -> bool:
    return offer is not None and offer.purchasable and offer.available >= line.quantity


def _pricing_line(line: CartLine, offer: Offer) -> PricingLine:
    return PricingLine(
        sku=line.sku,
        product=offer.product,
        quantity=line.quantity,
        list_unit_price=offer.unit_price,
    )


def _priced_line(
    line: CartLine, offer: Offer | None, quoted: QuotedLine | None, context: PricingContext
) -> PricedLine:
    if offer is None:  # the SKU left the catalogue (or the read model does not have it yet)
        zero = Money(0, context.currency)
        return PricedLine(
            sku=line.sku,
            product_id=line.product_id,
            name=line.sku,
            image=None,
            quantity=line.quantity,
            list_unit_price=zero,
            unit_price=zero,
            line_total=zero,
            available=False,
        )
    if quoted is not None:
        unit_price = quoted.unit_price
    else:  # shown at what it would cost, but not counted
        sale = sale_price(offer.unit_price, offer.product, context.sales, context.at)
        unit_price = sale.unit_price if sale is not None else offer.unit_price
    return PricedLine(
        sku=line.sku,
        product_id=offer.product_id,
        name=offer.name,
        image=offer.image,
        quantity=line.quantity,
        list_unit_price=offer.unit_price,
        unit_price=unit_price,
        line_total=unit_price.times(line.quantity),
        available=quoted is not None,
    )
