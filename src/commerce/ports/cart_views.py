"""The cart as the customer sees it, read from the `carts` read model and priced from the
`products` read model (current prices and availability)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from commerce.domain.pricing import PricedCart


class CartViews(Protocol):
    async def get_cart(self, customer_id: UUID) -> PricedCart:
        """An empty cart for a customer who never had one."""
        ...
