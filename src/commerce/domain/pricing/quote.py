"""The one pricing function: what some items cost at an instant, with the sales in force then
and an optional promo code. The cart view, the quote, checkout and the order all call `price`,
so for the same inputs at the same instant they agree to the minor unit.

Money is in integer minor units; the rules:

- A line's unit price is its list price less the best sale in force that picks its product.
  Where sales overlap, the one leaving the lowest unit price wins (on a tie, the lower sale id,
  so every caller names the same sale). A sale that would take nothing off is no sale.
- A sale's percentage comes off the unit price, rounded half up to the minor unit in the
  shopper's favour (15 % off 9.99 is 1.4985, so 1.50 off: 8.49); a fixed amount off is capped
  at the unit price. The line total is that unit price times the quantity, so a unit price
  shown always multiplies to its line total.
- The subtotal is the sum of the line totals. A promo code comes off the subtotal once (not per
  line): its percentage of the subtotal rounded half up, or its fixed amount capped at the
  subtotal. So 0 <= discount <= subtotal and total = subtotal - discount >= 0.
- A code that does not apply (expired, below its minimum, ...) takes nothing off, and the
  breakdown says why (`promo_code_rejection`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from commerce.domain.errors import DomainValidationError
from commerce.domain.pricing.discount import Discount
from commerce.domain.pricing.promo_code import PromoCode
from commerce.domain.pricing.rejection import CodeRejection
from commerce.domain.pricing.sale import ProductRef, Sale
from commerce.domain.values import Money


class PricingLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    product: ProductRef
    quantity: int
    list_unit_price: Money


class SalePrice(msgspec.Struct, frozen=True, kw_only=True):
    sale_id: UUID
    unit_price: Money


class QuotedLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    product_id: UUID
    quantity: int
    list_unit_price: Money
    sale_unit_price: Money | None  # None when no sale lowers it
    sale_id: UUID | None
    line_total: Money

    @property
    def unit_price(self) -> Money:
        """What the shopper pays for one unit."""
        return self.sale_unit_price or self.list_unit_price


class PriceBreakdown(msgspec.Struct, frozen=True, kw_only=True):
    lines: list[QuotedLine]
    subtotal: Money  # after sale prices
    promo_code: str | None
    discount: Money  # the promo code's
    total: Money
    promo_code_rejection: CodeRejection | None = None


def sale_price(
    list_price: Money, product: ProductRef, sales: Sequence[Sale], at: datetime
) -> SalePrice | None:
    """The best price a sale in force at `at` gives one unit of `product`; None if none
    lowers it. Search shows this as the sale price."""
    picked = [s for s in sales if s.in_force(at) and s.terms.applies_to.covers(product)]
    return best_sale_price(list_price, [(sale.id, sale.terms.discount) for sale in picked])


def best_sale_price(
    list_price: Money, discounts: Iterable[tuple[UUID, Discount]]
) -> SalePrice | None:
    """The lowest price one of these sales' discounts gives (on a tie, the lower sale id's);
    None if none lowers it. Search applies it to the sales the scheduler has started."""
    amount = list_price.amount
    savings = [(-discount.saving_on(amount), sale_id) for sale_id, discount in discounts]
    if not savings:
        return None
    saving, sale_id = min(savings)
    if saving == 0:
        return None
    return SalePrice(sale_id=sale_id, unit_price=Money(amount + saving, list_price.currency))


def price(
    lines: Sequence[PricingLine],
    *,
    sales: Sequence[Sale],
    at: datetime,
    currency: str,
    code: PromoCode | None = None,
    customer_redemptions: int = 0,
) -> PriceBreakdown:
    """`customer_redemptions`: how often the shopper has used `code` already (0 when nobody
    is signed in)."""
    quoted = [_quote(line, sales, at) for line in lines]
    subtotal = Money(0, currency)
    for line in quoted:
        subtotal += line.line_total
    discount, rejection = Money(0, currency), None
    if code is not None:
        rejection = code.rejection(subtotal, customer_redemptions, at)
        if rejection is None:
            discount = code.discount_on(subtotal)
    return PriceBreakdown(
        lines=quoted,
        subtotal=subtotal,
        promo_code=code.code if code is not None else None,
        discount=discount,
        total=subtotal - discount,
        promo_code_rejection=rejection,
    )


def _quote(line: PricingLine, sales: Sequence[Sale], at: datetime) -> QuotedLine:
    if line.quantity < 1:
        raise DomainValidationError("quantity", "must be at least 1")
    if line.list_unit_price.amount < 0:
        raise DomainValidationError("unit_price", "must not be negative")
    sale = sale_price(line.list_unit_price, line.product, sales, at)
    unit_price = sale.unit_price if sale is not None else line.list_unit_price
    return QuotedLine(
        sku=line.sku,
        product_id=line.product.product_id,
        quantity=line.quantity,
        list_unit_price=line.list_unit_price,
        sale_unit_price=sale.unit_price if sale is not None else None,
        sale_id=sale.sale_id if sale is not None else None,
        line_total=unit_price.times(line.quantity),
    )
