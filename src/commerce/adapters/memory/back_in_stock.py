"""In-memory twin of the back-in-stock requests."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID


class InMemoryBackInStockRequests:
    def __init__(self) -> None:
        self._requests: dict[tuple[str, UUID], tuple[int, datetime]] = {}

    async def add(self, sku: str, customer_id: UUID, *, stock_version: int, now: datetime) -> bool:
        if (sku, customer_id) in self._requests:
            return False
        self._requests[(sku, customer_id)] = (stock_version, now)
        return True

    async def waiting(self, sku: str, *, before_version: int) -> list[UUID]:
        found = [
            (requested_at, customer_id)
            for (waited, customer_id), (version, requested_at) in self._requests.items()
            if waited == sku and version < before_version
        ]
        return [customer_id for _, customer_id in sorted(found)]

    async def remove(self, sku: str, customer_id: UUID) -> None:
        self._requests.pop((sku, customer_id), None)
