"""Customers waiting for an out-of-stock variant to come back."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID


class BackInStockRequests(Protocol):
    async def add(self, sku: str, customer_id: UUID, *, stock_version: int, now: datetime) -> bool:
        """Record that the customer waits for `sku`, whose stock is at `stock_version`; False
        when they already wait for it (the first request stands)."""
        ...

    async def waiting(self, sku: str, *, before_version: int) -> list[UUID]:
        """The customers waiting for `sku` since a stock version older than `before_version`:
        a stock event may announce only what happened after they asked."""
        ...

    async def remove(self, sku: str, customer_id: UUID) -> None:
        """They were told (or chose to hear nothing): the request is done."""
        ...
