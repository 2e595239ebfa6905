"""The `carts` read model's query side, shared by the Elasticsearch cart views and their
in-memory twin: the lines and code read back from a cart's document, and how the `products`
read model's state of a product becomes the offers the cart is priced from. Pure (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec

from commerce.domain.cart import CartLine
from commerce.domain.pricing import CartContents, Offer
from commerce.domain.values import Money
from projections.products.document import ProductState, VariantState

SOURCE_FIELDS = ["lines", "promo_code"]


def lines_from_source(source: Mapping[str, Any]) -> list[CartLine]:
    """The lines of a cart's document (read with `source_includes=SOURCE_FIELDS`)."""
    return msgspec.convert(source.get("lines") or [], list[CartLine])


def code_from_source(source: Mapping[str, Any]) -> str | None:
    code = source.get("promo_code")
    return code if isinstance(code, str) else None


def product_ids(lines: Sequence[CartLine]) -> list[str]:
    """The products the lines come from, each once, in the order of the lines."""
    return list(dict.fromkeys(str(line.product_id) for line in lines))


def unit_price(variant: VariantState) -> Money | None:
    """What a shopper pays for one unit now. The product document keeps no sale or effective
    price per variant yet (discounts come with their own issue), so it is the variant's price;
    a per-variant effective price belongs here once the document has one."""
    return variant.price


def offer_of(state: ProductState, sku: str, currency: str) -> Offer | None:
    """The offer for `sku` in this product's state; None when the read model does not know
    enough to show it (no details yet, SKU not in the product, no price yet)."""
    variant = state.variants.get(sku)
    details = state.details
    if variant is None or details is None:
        return None
    price = unit_price(variant)
    if price is None:
        return None
    stock = state.stock.get(sku)
    return Offer(
        sku=sku,
        product_id=UUID(state.product_id),
        name=details.name,
        image=details.images[0] if details.images else None,
        unit_price=price,
        available=stock.available if stock is not None else 0,
        category=details.category,
        brand=details.brand,
        purchasable=(
            state.has_catalog
            and not state.archived
            and variant.known
            and not variant.retired
            and price.currency == currency
        ),
    )


def offers_for(
    lines: Sequence[CartLine], states: Mapping[str, ProductState], currency: str
) -> dict[str, Offer]:
    """An offer per SKU of the lines, looked up in the state of the line's product."""
    offers: dict[str, Offer] = {}
    for line in lines:
        state = states.get(str(line.product_id))
        offer = offer_of(state, line.sku, currency) if state is not None else None
        if offer is not None:
            offers[line.sku] = offer
    return offers


def cart_contents(
    lines: Sequence[CartLine],
    promo_code: str | None,
    states: Mapping[str, ProductState],
    currency: str,
) -> CartContents:
    return CartContents(
        lines=list(lines), promo_code=promo_code, offers=offers_for(lines, states, currency)
    )
