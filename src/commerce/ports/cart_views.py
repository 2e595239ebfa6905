"""The cart as the customer sees it: its lines and code from the `carts` read model, with the
offers of the `products` read model (current prices and availability). The application prices
it (`price_cart`) with the code's terms and the sales in force."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from commerce.domain.pricing import CartContents


class CartViews(Protocol):
    async def get_cart(self, customer_id: UUID) -> CartContents:
        """An empty cart for a customer who never had one."""
        ...
