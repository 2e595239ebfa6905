"""A commit in one round trip: every write of a unit of work (aggregate rows, outbox events, the
request's idempotency claim) as one statement of data-modifying CTEs, atomic by itself.

Each write returns a row per row it wrote and says how many it must write; the statement's own
SELECT checks every count with `commerce_expect` (migration 0010), so a lost version check
aborts the whole statement, and nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Executable, Result, func, literal, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.sql.dml import ReturningDelete, ReturningInsert, ReturningUpdate

from commerce.domain.errors import ConcurrencyError

Failure = Callable[["Executor"], Awaitable[Exception]]
Statement = ReturningInsert[Any] | ReturningUpdate[Any] | ReturningDelete[Any]
_MARK = "commerce_expect:"
# A deadlock (rows of one table taken in another order by a plan) or a serialisation failure
# is a race lost like a version check: the handler runs again.
_LOST_RACES = frozenset({"40P01", "40001"})


def fails_with(error: Callable[[], Exception]) -> Failure:
    """A failure that needs no look-up to be described."""

    async def failure(_: Executor) -> Exception:
        return error()

    return failure


@dataclass(frozen=True)
class Write:
    """`statement` returns one row per row written; anything but `rows` of them (None: any
    number) raises what `failure` describes (given the connection, to look up why, after the
    statement aborted). `constraints` name unique constraints whose violation is that same
    failure."""

    statement: Statement
    rows: int | None
    failure: Failure
    constraints: frozenset[str] = field(default_factory=frozenset)


class Executor(Protocol):
    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]: ...


async def write_atomically(connection: Executor, writes: Sequence[Write]) -> None:
    """Run every write in one statement, which writes all of them or none."""
    if not writes:
        return
    ctes = [write.statement.cte(f"w{index}") for index, write in enumerate(writes)]
    checks: list[ColumnElement[Any]] = [
        func.commerce_expect(
            select(func.count()).select_from(cte).scalar_subquery() == literal(write.rows),
            literal(str(index)),
        )
        for index, (write, cte) in enumerate(zip(writes, ctes, strict=True))
        if write.rows is not None
    ]
    try:
        await connection.execute(select(*checks or [literal(True)]).add_cte(*ctes))
    except IntegrityError as error:
        failed = next((w for w in writes for c in w.constraints if c in str(error.orig)), None)
        if failed is None:
            raise
        raise await failed.failure(connection) from None
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) in _LOST_RACES:
            raise ConcurrencyError("a concurrent change got in the way") from None
        index = _failed_check(error)
        if index is None:
            raise
        raise await writes[index].failure(connection) from None


def _failed_check(error: DBAPIError) -> int | None:
    message = str(error.orig)
    start = message.find(_MARK)
    if start < 0:
        return None
    digits = message[start + len(_MARK) :].split(maxsplit=1)[0].rstrip(".\"'")
    return int(digits) if digits.isdigit() else None
