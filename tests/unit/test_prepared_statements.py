"""Statements compiled once (`adapters/postgres/prepared.py`): every one the adapters declare
compiles, values are bound by name in the compiled order, and a statement that would have to be
compiled per call is refused when it is declared, not when a shopper first needs it."""

import importlib
import pkgutil
from uuid import uuid4

import pytest
from sqlalchemy import bindparam, literal, select

from commerce.adapters import postgres
from commerce.adapters.postgres.prepared import Prepared
from commerce.adapters.postgres.tables import carts, orders


def test_every_statement_the_adapters_prepare_compiles_for_asyncpg() -> None:
    prepared = [
        value
        for module in pkgutil.iter_modules(postgres.__path__)
        for value in vars(importlib.import_module(f"{postgres.__name__}.{module.name}")).values()
        if isinstance(value, Prepared)
    ]

    assert len(prepared) >= 15
    for statement in prepared:
        assert "$1" in statement.sql or "nextval" in statement.sql, statement.sql


def test_values_are_bound_by_name_in_the_order_the_sql_numbers_them() -> None:
    customer = uuid4()
    statement = Prepared(
        select(carts).where(
            carts.c.version == bindparam("version", type_=carts.c.version.type),
            carts.c.customer_id == bindparam("customer", type_=carts.c.customer_id.type),
            carts.c.lines != literal([], carts.c.lines.type),
        )
    )

    arguments = statement.arguments({"customer": customer, "version": 3})

    assert statement.sql.index("$1") < statement.sql.index("$2") < statement.sql.index("$3")
    assert arguments[:2] == [3, customer]
    assert arguments[2] == "[]"  # JSONB goes as its text, for the codec of the connection


def test_a_missing_value_is_an_error_not_a_null() -> None:
    statement = Prepared(select(carts).where(carts.c.customer_id == bindparam("customer")))

    with pytest.raises(KeyError):
        statement.arguments({})


def test_an_expanding_in_is_refused_when_it_is_compiled() -> None:
    statement = Prepared(select(orders.c.id).where(orders.c.status.in_(["placed", "paid"])))

    with pytest.raises(ValueError, match="compile once"):
        _ = statement.sql
