"""Many rows in one statement: each column travels as one array parameter, and `unnest` turns
the arrays back into rows. The statement is the same for one row or ten thousand (prepared
once, no limit on the number of parameters), and PostgreSQL runs one INSERT or UPDATE, not one
per row: measured here as fast as `COPY`, with `ON CONFLICT` and `RETURNING` still at hand.

`InsertRows`, `UpdateVersionedRows` and `DeleteRows` are shapes of such statements: they build
the statement with parameters named by the caller (`Param`), so that a unit of work's commit
can put several in one statement and compile each combination once (`writes.py`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    Integer,
    Select,
    Table,
    any_,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.sql.dml import ReturningDelete, ReturningInsert, ReturningUpdate
from sqlalchemy.types import TypeEngine

EXPECTED_VERSION = "expected_version"

# A parameter of a statement being built: its name in the shape, and its type.
Param = Callable[[str, TypeEngine[Any]], BindParameter[Any]]


def insert_from_arrays(table: Table, columns: Sequence[str]) -> Insert:
    """`INSERT INTO table (columns) SELECT unnest(:column), …`; execute it with `as_arrays`."""
    return insert(table).from_select(list(columns), _unnested(table, columns, _named))


def as_arrays(
    rows: Sequence[Mapping[str, Any]], names: Sequence[str] | None = None
) -> dict[str, list[Any]]:
    """Rows as one list of values per column: `names`, or every key of the first row."""
    return {name: [row[name] for row in rows] for name in names or list(rows[0])}


@dataclass(frozen=True)
class Upsert:
    """`ON CONFLICT (key) DO UPDATE SET columns`, only where the existing row's `owner`
    column (if given) equals the new row's: another owner's row is left alone, and missing
    from RETURNING."""

    key: str
    columns: tuple[str, ...]
    owner: str | None = None


@dataclass(frozen=True)
class InsertRows:
    """`INSERT INTO table (columns) SELECT unnest(…) [ON CONFLICT …] RETURNING returning`.
    `on_conflict`: None (a taken key is an error), "nothing" (it is skipped, and missing from
    RETURNING) or an `Upsert`."""

    table: Table
    columns: tuple[str, ...]
    returning: str
    on_conflict: str | Upsert | None = None

    def statement(self, param: Param) -> ReturningInsert[Any]:
        statement = insert(self.table).from_select(
            list(self.columns), _unnested(self.table, self.columns, param)
        )
        if self.on_conflict == "nothing":
            statement = statement.on_conflict_do_nothing()
        elif isinstance(self.on_conflict, Upsert):
            upsert, excluded = self.on_conflict, statement.excluded
            where = (
                None
                if upsert.owner is None
                else self.table.c[upsert.owner] == excluded[upsert.owner]
            )
            statement = statement.on_conflict_do_update(
                index_elements=[self.table.c[upsert.key]],
                set_={name: excluded[name] for name in upsert.columns},
                where=where,
            )
        return statement.returning(self.table.c[self.returning])

    def values(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
        return as_arrays(rows, self.columns)


@dataclass(frozen=True)
class UpdateVersionedRows:
    """`UPDATE table … FROM unnest(…) WHERE key = v.key AND version = v.expected_version
    RETURNING key`: every row holds the key, `expected_version`, the new `version` and the
    `columns` to set. A row whose version moved on is left alone, and missing from RETURNING."""

    table: Table
    key: str
    columns: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """What each row holds."""
        return (self.key, EXPECTED_VERSION, "version", *self.columns)

    def statement(self, param: Param) -> ReturningUpdate[Any]:
        values = _unnested(self.table, self.names, param).subquery("v")
        return (
            update(self.table)
            .where(
                self.table.c[self.key] == values.c[self.key],
                self.table.c.version == values.c[EXPECTED_VERSION],
            )
            .values({name: values.c[name] for name in ("version", *self.columns)})
            .returning(self.table.c[self.key])
        )

    def values(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
        return as_arrays(rows, self.names)


@dataclass(frozen=True)
class DeleteRows:
    """`DELETE FROM table WHERE key = any(:key) RETURNING key`."""

    table: Table
    key: str

    def statement(self, param: Param) -> ReturningDelete[Any]:
        column = self.table.c[self.key]
        return (
            delete(self.table)
            .where(column == any_(param(self.key, ARRAY(column.type))))
            .returning(column)
        )


def _unnested(table: Table, columns: Sequence[str], param: Param) -> Select[Any]:
    return select(
        *(
            func.unnest(param(name, ARRAY(_type_of(table, name), dimensions=1))).label(name)
            for name in columns
        )
    )


def _named(name: str, type_: TypeEngine[Any]) -> BindParameter[Any]:
    return bindparam(name, type_=type_)


def _type_of(table: Table, name: str) -> TypeEngine[Any]:
    return Integer() if name == EXPECTED_VERSION else table.c[name].type
