"""Many rows in one statement: each column travels as one array parameter, and `unnest` turns
the arrays back into rows. The statement is the same for one row or ten thousand (prepared
once, no limit on the number of parameters), and PostgreSQL runs one INSERT or UPDATE, not one
per row: measured here as fast as `COPY`, with `ON CONFLICT` and `RETURNING` still at hand."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, Select, Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.sql.dml import ReturningUpdate
from sqlalchemy.types import TypeEngine

EXPECTED_VERSION = "expected_version"


def insert_from_arrays(table: Table, columns: Sequence[str]) -> Insert:
    """`INSERT INTO table (columns) SELECT unnest(:column), …`; execute it with `as_arrays`."""
    arrays = select(
        *(
            func.unnest(bindparam(name, type_=ARRAY(table.c[name].type, dimensions=1)))
            for name in columns
        )
    )
    return insert(table).from_select(list(columns), arrays)


def as_arrays(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Rows with the same keys as one list of values per column."""
    return {name: [row[name] for row in rows] for name in rows[0]}


def insert_rows(table: Table, rows: Sequence[Mapping[str, Any]]) -> Insert:
    """`insert_from_arrays` with the rows bound into the statement, so that it can be one part
    of a larger statement (its parameters never clash with another part's)."""
    return insert(table).from_select(list(rows[0]), _unnested(table, rows))


def update_versioned_rows(
    table: Table, key: str, rows: Sequence[Mapping[str, Any]]
) -> ReturningUpdate[Any]:
    """`UPDATE table … FROM unnest(…) WHERE key = v.key AND version = v.expected_version
    RETURNING key`: every row holds the key, `expected_version`, the new `version` and the
    columns to set. A row whose version moved on is left alone, and missing from RETURNING."""
    values = _unnested(table, rows).subquery("v")
    changed = [name for name in rows[0] if name not in (key, EXPECTED_VERSION)]
    return (
        update(table)
        .where(table.c[key] == values.c[key], table.c.version == values.c[EXPECTED_VERSION])
        .values({name: values.c[name] for name in changed})
        .returning(table.c[key])
    )


def _unnested(table: Table, rows: Sequence[Mapping[str, Any]]) -> Select[Any]:
    return select(
        *(
            func.unnest(
                bindparam(
                    name,
                    value=[row[name] for row in rows],
                    type_=ARRAY(_type_of(table, name), dimensions=1),
                    unique=True,
                )
            ).label(name)
            for name in rows[0]
        )
    )


def _type_of(table: Table, name: str) -> TypeEngine[Any]:
    return Integer() if name == EXPECTED_VERSION else table.c[name].type
