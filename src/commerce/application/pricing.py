"""Pricing a cart, or a quote's items, now: what `price_cart` needs besides the lines (the
sales in force, the code's terms and the shopper's uses of it), read through the unit of work.
Every caller (the cart's commands and view, the quote, checkout) prices through here."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from commerce.domain.pricing import CartContents, PricedCart, PricingContext, price_cart
from commerce.ports.unit_of_work import UnitOfWork


async def pricing_context(
    uow: UnitOfWork,
    contents: CartContents,
    customer_id: UUID | None,
    at: datetime,
    currency: str,
) -> PricingContext:
    """Read, not changed: only checkout redeems the code it finds here (its unit of work
    then saves it, version-checked against these reads)."""
    sales = await uow.sales.in_force(at, contents.products) if contents.offers else []
    found = None
    if contents.promo_code is not None:
        found = await uow.promo_codes.find_for(contents.promo_code, customer_id)
    code, used = found if found is not None else (None, 0)
    return PricingContext(
        at=at, currency=currency, sales=sales, code=code, customer_redemptions=used
    )


async def priced_now(
    uow: UnitOfWork,
    contents: CartContents,
    customer_id: UUID | None,
    at: datetime,
    currency: str,
) -> PricedCart:
    return price_cart(contents, await pricing_context(uow, contents, customer_id, at, currency))
