"""`POST /v1/pricing/quote`: what some items would cost now, with an optional code, without a
cart. Priced exactly as a cart of those lines (`price_cart`, the same reads): a line short of
stock or no longer for sale shows `available: false` and is not counted, and a code that does
not apply takes nothing off and says why, as the cart does."""

from __future__ import annotations

from uuid import UUID

import msgspec

from commerce.application.pricing import priced_now
from commerce.domain.cart import CartLine
from commerce.domain.errors import DomainValidationError
from commerce.domain.pricing import CartContents, PricedCart, normalize_code
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork


class QuoteItem(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    quantity: int


class QuoteItems(msgspec.Struct, frozen=True, kw_only=True):
    """`customer_id`: the shopper signed in, if any (their uses of the code count)."""

    items: list[QuoteItem]
    promo_code: str | None = None
    customer_id: UUID | None = None


async def quote(query: QuoteItems, uow: UnitOfWork, clock: Clock, currency: str) -> PricedCart:
    """422 naming the item for a SKU given twice or one the catalogue does not know."""
    _check_each_sku_once(query.items)
    code = normalize_code(query.promo_code) if query.promo_code is not None else None
    async with uow:
        offers = await uow.products.offers(item.sku for item in query.items)
        lines = []
        for index, item in enumerate(query.items):
            offer = offers.get(item.sku)
            if offer is None:
                raise DomainValidationError(f"items[{index}].sku", f"no SKU {item.sku}")
            lines.append(
                CartLine(sku=item.sku, product_id=offer.product_id, quantity=item.quantity)
            )
        contents = CartContents(lines=lines, promo_code=code, offers=offers)
        return await priced_now(uow, contents, query.customer_id, clock.now(), currency)


def _check_each_sku_once(items: list[QuoteItem]) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.sku in seen:
            raise DomainValidationError(f"items[{index}].sku", "is given twice: give it once")
        seen.add(item.sku)
