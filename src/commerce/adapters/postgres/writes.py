"""A commit in one round trip: every write of a unit of work (aggregate rows, outbox events, the
request's idempotency claim) as one statement of data-modifying CTEs, atomic by itself.

Each write returns a row per row it wrote and says how many it must write; the statement's own
SELECT checks every count with `commerce_expect` (migration 0010), so a lost version check
aborts the whole statement, and nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import asyncpg
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    bindparam,
    func,
    literal,
    select,
)
from sqlalchemy.sql.dml import ReturningDelete, ReturningInsert, ReturningUpdate
from sqlalchemy.types import TypeEngine

from commerce.adapters.postgres.bulk import Param
from commerce.adapters.postgres.prepared import Prepared
from commerce.adapters.postgres.session import Session
from commerce.domain.errors import ConcurrencyError

Failure = Callable[[Session], Awaitable[Exception]]
Statement = ReturningInsert[Any] | ReturningUpdate[Any] | ReturningDelete[Any]
_MARK = "commerce_expect:"
# A deadlock (rows of one table taken in another order by a plan) or a serialisation failure
# is a race lost like a version check: the handler runs again.
_LOST_RACES = frozenset({"40P01", "40001"})


def fails_with(error: Callable[[], Exception]) -> Failure:
    """A failure that needs no look-up to be described."""

    async def failure(_: Session) -> Exception:
        return error()

    return failure


class Shape(Protocol):
    """What a write's statement looks like, without its values (hashable: a commit's
    statement is compiled once per combination of shapes). `statement` builds it with
    parameters named through `param`."""

    def statement(self, param: Param) -> Statement: ...


@dataclass(frozen=True)
class Write:
    """`shape`'s statement, with `values` for its parameters, returns one row per row
    written; anything but `rows` of them (None: any number) raises what `failure` describes
    (given the connection, to look up why, after the statement aborted). `constraints` name
    unique constraints whose violation is that same failure."""

    shape: Shape
    values: Mapping[str, Any]
    rows: int | None
    failure: Failure
    constraints: frozenset[str] = field(default_factory=frozenset)


async def write_atomically(session: Session, writes: Sequence[Write]) -> None:
    """Run every write in one statement, which writes all of them or none."""
    if not writes:
        return
    statement = _combined(tuple((write.shape, write.rows is not None) for write in writes))
    values: dict[str, Any] = {}
    for position, write in enumerate(writes):
        values |= {_name(position, name): value for name, value in write.values.items()}
        if write.rows is not None:
            values[_name(position, _ROWS)] = write.rows
    try:
        await session.fetch(statement, values)
    except asyncpg.IntegrityConstraintViolationError as error:
        failed = next((w for w in writes if error.constraint_name in w.constraints), None)
        if failed is None:
            raise
        raise await failed.failure(session) from None
    except asyncpg.PostgresError as error:
        if error.sqlstate in _LOST_RACES:
            raise ConcurrencyError("a concurrent change got in the way") from None
        index = _failed_check(error)
        if index is None:
            raise
        raise await writes[index].failure(session) from None


_ROWS = "_rows"


@lru_cache(maxsize=512)
def _combined(shapes: tuple[tuple[Shape, bool], ...]) -> Prepared:
    """One statement of the shapes as data-modifying CTEs; its SELECT checks the row count of
    each shape given True with `commerce_expect`."""
    ctes = [
        shape.statement(_param_of(index)).cte(f"w{index}")
        for index, (shape, _) in enumerate(shapes)
    ]
    checks: list[ColumnElement[Any]] = [
        func.commerce_expect(
            select(func.count()).select_from(cte).scalar_subquery()
            == bindparam(_name(index, _ROWS), type_=Integer()),
            literal(str(index)),
        )
        for index, ((_, checked), cte) in enumerate(zip(shapes, ctes, strict=True))
        if checked
    ]
    return Prepared(select(*checks or [literal(True)]).add_cte(*ctes))


def _param_of(index: int) -> Param:
    def param(name: str, type_: TypeEngine[Any]) -> BindParameter[Any]:
        return bindparam(_name(index, name), type_=type_)

    return param


def _name(index: int, name: str) -> str:
    return f"w{index}_{name}"


def _failed_check(error: asyncpg.PostgresError) -> int | None:
    message = str(error)
    start = message.find(_MARK)
    if start < 0:
        return None
    digits = message[start + len(_MARK) :].split(maxsplit=1)[0].rstrip(".\"'")
    return int(digits) if digits.isdigit() else None
