"""Statements compiled once, run on the asyncpg connection itself.

SQLAlchemy Core builds each statement from the tables, with its parameters named (`bindparam`)
and no values; the asyncpg dialect compiles it once, on first use. A call then only converts its
values the way the column types say (JSONB to text, for the codec SQLAlchemy installs on every
connection) and hands the SQL and the values to asyncpg, whose own cache keeps the statement
prepared on each connection.

Why not `AsyncConnection.execute`: under the checkout bench, building, cache-keying and
executing statements through SQLAlchemy was half of the API's CPU (ADR 0014). Statements that
run rarely (look-ups after a failure, admin queries) still go through SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, Protocol

import msgspec
from sqlalchemy import ClauseElement
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

from commerce.adapters.postgres.engine import json_text

# The engine's dialect settings that matter for compiling and binding (`engine.py`).
DIALECT = PGDialect_asyncpg(  # type: ignore[no-untyped-call]
    json_serializer=json_text, json_deserializer=msgspec.json.decode
)

Convert = Callable[[Any], Any]


class Row(Protocol):
    """A row by column name: asyncpg's `Record`, or SQLAlchemy's `RowMapping`."""

    def __getitem__(self, name: str, /) -> Any: ...


class Prepared:
    """`statement` compiled for asyncpg; `arguments(values)` gives its positional values."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement

    @cached_property
    def _compiled(self) -> tuple[str, list[tuple[str, Any, Convert | None]]]:
        compiled = self.statement.compile(dialect=DIALECT)
        assert isinstance(compiled, SQLCompiler)
        if compiled.has_out_parameters or "POSTCOMPILE" in compiled.string:
            # An expanding IN renders per call: compare with `= any(:array)` instead.
            raise ValueError(f"not a statement to compile once: {compiled.string}")
        binds: list[tuple[str, Any, Convert | None]] = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            convert = _converter(bind.type)
            binds.append((name, bind.value if not bind.required else _REQUIRED, convert))
        return compiled.string, binds

    @property
    def sql(self) -> str:
        return self._compiled[0]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        arguments = []
        for name, fixed, convert in self._compiled[1]:
            value = values[name] if fixed is _REQUIRED else values.get(name, fixed)
            arguments.append(value if convert is None else convert(value))
        return arguments


_REQUIRED = object()


def _converter(type_: TypeEngine[Any]) -> Convert | None:
    """How SQLAlchemy would convert a value of `type_` for asyncpg; None where it only copies
    it: an array of values that need no conversion (asyncpg takes the list as it is)."""
    impl = type_.dialect_impl(DIALECT)
    if isinstance(impl, ARRAY) and _converter(impl.item_type) is None:
        return None
    return impl.bind_processor(DIALECT)
