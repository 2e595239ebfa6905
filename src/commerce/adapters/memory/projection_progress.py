"""In-memory twin of the projection progress store."""

from collections.abc import Sequence
from uuid import UUID


class InMemoryProjectionProgress:
    def __init__(self) -> None:
        self._done: set[tuple[str, UUID]] = set()

    async def all_projected(self, projection: str, event_ids: Sequence[UUID]) -> bool:
        return all((projection, event_id) in self._done for event_id in event_ids)

    async def mark_projected(self, projection: str, event_ids: Sequence[UUID]) -> None:
        self._done.update((projection, event_id) for event_id in event_ids)
