"""Which events each read model has projected, for read-your-writes."""

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID


class ProjectionProgress(Protocol):
    async def all_projected(self, projection: str, event_ids: Sequence[UUID]) -> bool: ...

    async def mark_projected(self, projection: str, event_ids: Sequence[UUID]) -> None: ...
