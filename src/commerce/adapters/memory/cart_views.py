"""The in-memory twin of the cart views: the carts and the product states it prices from, both
built from events by the projections' own functions, read back by the same shared function as
the Elasticsearch adapter."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from commerce.domain.events import EventEnvelope
from commerce.domain.pricing import CartContents
from projections.carts.document import CartSnapshot
from projections.carts.projector import newest_by_cart
from projections.carts.query import cart_contents
from projections.products.document import ProductState, merge
from projections.products.projector import changes_by_product


class InMemoryCartViews:
    def __init__(self, currency: str) -> None:
        self._currency = currency
        self._carts: dict[str, CartSnapshot] = {}
        self._products: dict[str, ProductState] = {}

    def apply(self, envelopes: Sequence[EventEnvelope]) -> None:
        """Apply a batch as the `carts` and `products` projections do: cart events keep the
        newest version of each cart, catalogue and stock events merge into product states;
        any other event is ignored."""
        for customer_id, snapshot in newest_by_cart(envelopes).items():
            known = self._carts.get(customer_id)
            if known is None or snapshot.version > known.version:
                self._carts[customer_id] = snapshot
        for product_id, change in changes_by_product(envelopes).items():
            current = self._products.get(product_id, ProductState(product_id=product_id))
            self._products[product_id] = merge(current, change)

    async def get_cart(self, customer_id: UUID) -> CartContents:
        snapshot = self._carts.get(str(customer_id))
        if snapshot is None:
            return cart_contents([], None, self._products, self._currency)
        return cart_contents(snapshot.lines, snapshot.promo_code, self._products, self._currency)
