"""The aggregate base: a version for optimistic concurrency and the events not yet saved."""

from __future__ import annotations

from typing import ClassVar

from commerce.domain.events import DomainEvent


class Aggregate:
    """Every recorded event bumps `version` by one. `persisted_version` is what the database
    holds; the unit of work saves with `WHERE version = persisted_version`, so a concurrent
    change is detected instead of overwritten."""

    aggregate_type: ClassVar[str]

    def __init__(self, version: int = 0) -> None:
        self.version = version
        self.persisted_version = version
        self._pending: list[DomainEvent] = []

    @property
    def aggregate_id(self) -> str:
        raise NotImplementedError

    def _record(self, event: DomainEvent) -> None:
        self.version += 1
        self._pending.append(event)

    def pull_events(self) -> list[tuple[int, DomainEvent]]:
        """Hand the pending events, each with the version it produced, to the unit of work."""
        first = self.persisted_version + 1
        events = list(enumerate(self._pending, start=first))
        self._pending.clear()
        self.persisted_version = self.version
        return events

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """The events not yet handed over, for a repository whose rows follow from them."""
        return tuple(self._pending)

    @property
    def has_changes(self) -> bool:
        return bool(self._pending)
