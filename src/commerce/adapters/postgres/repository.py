"""What every PostgreSQL repository shares: the aggregates it has handed out, and the
optimistic version check on save."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, update
from sqlalchemy.ext.asyncio import AsyncConnection

from commerce.adapters.envelopes import Sightings
from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import ConcurrencyError

A = TypeVar("A", bound=Aggregate)


class TrackingRepository(Generic[A]):
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.seen: list[A] = []
        self.sightings = Sightings()

    def add(self, aggregate: A) -> None:
        self._track(aggregate)

    def _track(self, aggregate: A) -> A:
        self.seen.append(aggregate)
        self.sightings.note(aggregate)
        return aggregate

    async def save(self, aggregate: A, expected_version: int) -> None:
        raise NotImplementedError

    async def save_all(self, changes: Sequence[tuple[A, int]]) -> None:
        """Save each changed aggregate, given with the version it was loaded at (0: new).
        A repository that writes many rows at once overrides this."""
        for aggregate, expected_version in changes:
            await self.save(aggregate, expected_version)

    async def _update_versioned(
        self, table: Table, key: Any, aggregate: A, expected_version: int, values: dict[str, Any]
    ) -> None:
        """`UPDATE … WHERE version = expected`: a lost race raises, it never overwrites."""
        key_column = next(iter(table.primary_key.columns))
        result = await self.connection.execute(
            update(table)
            .where(key_column == key, table.c.version == expected_version)
            .values(version=aggregate.version, **values)
        )
        if result.rowcount != 1:
            raise ConcurrencyError(
                f"{aggregate.aggregate_type} {aggregate.aggregate_id} was changed by someone else"
            )
