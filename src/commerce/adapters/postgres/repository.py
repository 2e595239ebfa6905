"""What every PostgreSQL repository shares: the aggregates it has handed out, and the writes
that save them (new rows, and rows guarded by the version they were loaded at)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Table

from commerce.adapters.envelopes import Sightings
from commerce.adapters.postgres.bulk import EXPECTED_VERSION, InsertRows, UpdateVersionedRows
from commerce.adapters.postgres.session import Session
from commerce.adapters.postgres.writes import Write, fails_with
from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import AlreadyExistsError, ConcurrencyError

A = TypeVar("A", bound=Aggregate)


class TrackingRepository(Generic[A]):
    def __init__(self, connection: Session) -> None:
        self.connection = connection
        self.seen: list[A] = []
        self.sightings = Sightings()

    def add(self, aggregate: A) -> None:
        self._track(aggregate)

    def _track(self, aggregate: A) -> A:
        self.seen.append(aggregate)
        self.sightings.note(aggregate)
        return aggregate

    def writes(self, changes: Sequence[tuple[A, int]]) -> list[Write]:
        """The writes that save each changed aggregate, given with the version it was loaded
        at (0: new); the unit of work runs them, with every other, as one statement."""
        raise NotImplementedError


def row_writes(
    table: Table,
    key: str,
    changes: Sequence[tuple[A, int]],
    row: Callable[[A], dict[str, Any]],
    what: str,
) -> list[Write]:
    """The writes of aggregates kept as one row each (`row`): new ones inserted, changed ones
    updated where their version is still the one they were loaded at."""
    new, changed = split(changes)
    writes = []
    if new:
        writes.append(new_rows(table, key, [row(a) for a in new], what))
    if changed:
        rows = [row(a) | {EXPECTED_VERSION: expected} for a, expected in changed]
        writes.append(changed_rows(table, key, rows, what))
    return writes


def new_rows(table: Table, key: str, rows: Sequence[Mapping[str, Any]], what: str) -> Write:
    """Insert rows of new aggregates; a key taken meanwhile is `AlreadyExistsError`."""
    shape = InsertRows(table, tuple(rows[0]), key, on_conflict="nothing")
    ids = ", ".join(str(row[key]) for row in rows)
    return Write(
        shape,
        shape.values(rows),
        len(rows),
        fails_with(lambda: AlreadyExistsError(f"{what} {ids} exists")),
    )


def changed_rows(table: Table, key: str, rows: Sequence[Mapping[str, Any]], what: str) -> Write:
    """`UPDATE … WHERE version = expected` for each row: a lost race raises, it never
    overwrites. Each row holds the key, `expected_version`, `version` and the columns."""
    shape = UpdateVersionedRows(table, key, tuple(_set_columns(rows[0], key)))
    ids = ", ".join(str(row[key]) for row in rows)
    return Write(
        shape,
        shape.values(rows),
        len(rows),
        fails_with(lambda: ConcurrencyError(f"{what} {ids} was changed by someone else")),
    )


def _set_columns(row: Mapping[str, Any], key: str) -> list[str]:
    return [name for name in row if name not in (key, EXPECTED_VERSION, "version")]


def split(changes: Sequence[tuple[A, int]]) -> tuple[list[A], list[tuple[A, int]]]:
    """New aggregates, and changed ones with the version they were loaded at."""
    return [a for a, expected in changes if expected == 0], [c for c in changes if c[1]]
