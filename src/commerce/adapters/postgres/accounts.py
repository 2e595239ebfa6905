"""Accounts and their payment methods in PostgreSQL: the repository, and the narrow query for
the owner's profile (which never selects the password hash or a gateway token)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import UUID as UUID_
from sqlalchemy import (
    ColumnElement,
    Label,
    Text,
    all_,
    any_,
    bindparam,
    delete,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import ReturningDelete

from commerce.adapters.postgres.bulk import EXPECTED_VERSION, InsertRows, Param, Upsert
from commerce.adapters.postgres.prepared import Prepared, Row
from commerce.adapters.postgres.repository import TrackingRepository, changed_rows, split
from commerce.adapters.postgres.tables import account_payment_methods, accounts
from commerce.adapters.postgres.writes import Write, fails_with
from commerce.domain.account import Account, DuplicateEmailError, PaymentMethod, canonical_email
from commerce.domain.errors import NotFoundError
from commerce.domain.values import Address
from commerce.ports.accounts import AccountProfile, PaymentMethodSummary

_EMAIL_CONSTRAINT = "uq_accounts_email"


class PostgresAccountRepository(TrackingRepository[Account]):
    async def get(self, account_id: UUID) -> Account:
        return await self._load(_BY_ID, account_id, f"no account {account_id}")

    async def get_by_email(self, email: str) -> Account:
        return await self._load(_BY_EMAIL, canonical_email(email), "no such account")

    async def _load(self, query: Prepared, key: object, missing: str) -> Account:
        row = await self.connection.fetch_one(query, {"key": key})
        if row is None:
            raise NotFoundError(missing)
        return self._track(_account_from_rows(row, row["payment_methods"]))

    def writes(self, changes: Sequence[tuple[Account, int]]) -> list[Write]:
        new, changed = split(changes)
        writes = []
        duplicate = fails_with(lambda: DuplicateEmailError("an account with this email exists"))
        if new:
            rows = [{"id": a.id, "version": a.version} | _columns(a) for a in new]
            shape = InsertRows(accounts, tuple(rows[0]), "id", on_conflict="nothing")
            writes.append(Write(shape, shape.values(rows), len(rows), duplicate))
        if changed:
            rows = [
                {"id": a.id, EXPECTED_VERSION: expected, "version": a.version} | _columns(a)
                for a, expected in changed
            ]
            versioned = changed_rows(accounts, "id", rows, "account")
            writes.append(replace(versioned, constraints=frozenset({_EMAIL_CONSTRAINT})))
        saved = [account for account, _ in changes]
        if saved:
            writes += _payment_method_writes(saved)
        return writes


def _with_methods(key: ColumnElement[Any]) -> Prepared:
    """The account whose `key` is the parameter `key`, and its payment methods: one round
    trip."""
    methods = _methods_of(accounts.c.id, with_token=True)
    return Prepared(select(accounts, methods).where(key == bindparam("key", type_=key.type)))


def _payment_method_writes(saved: Sequence[Account]) -> list[Write]:
    """The accounts' methods as they now are: the rows of removed ones go, the others are
    written (immutable but for their position)."""
    table = account_payment_methods
    rows = [
        {
            "id": method.id,
            "account_id": account.id,
            "position": position,
            "brand": method.brand,
            "last4": method.last4,
            "exp_month": method.exp_month,
            "exp_year": method.exp_year,
            "token": method.token,
        }
        for account in saved
        for position, method in enumerate(account.payment_methods)
    ]
    kept = [row["id"] for row in rows]
    unchecked = fails_with(lambda: AssertionError("not checked"))
    removed = {"accounts": [a.id for a in saved], "kept": kept}
    writes = [Write(_RemovedMethods(), removed, None, unchecked)]
    if rows:
        upsert = InsertRows(table, tuple(rows[0]), "id", on_conflict=Upsert("id", ("position",)))
        writes.append(Write(upsert, upsert.values(rows), None, unchecked))
    return writes


@dataclass(frozen=True)
class _RemovedMethods:
    """The payment methods of `accounts` not among `kept` go."""

    def statement(self, param: Param) -> ReturningDelete[Any]:
        table = account_payment_methods
        return (
            delete(table)
            .where(
                table.c.account_id == any_(param("accounts", ARRAY(UUID_))),
                table.c.id != all_(param("kept", ARRAY(UUID_))),
            )
            .returning(table.c.id)
        )


class PostgresAccountProfiles:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, account_id: UUID) -> AccountProfile:
        columns = [c for c in accounts.c if c.name != "password_hash"]
        async with self._engine.connect() as connection:
            query = select(*columns).where(accounts.c.id == account_id)
            row = (await connection.execute(query)).mappings().one_or_none()
            if row is None:
                raise NotFoundError(f"no account {account_id}")
            methods = await _payment_method_rows(connection, account_id, with_token=False)
        return AccountProfile(
            id=row["id"],
            email=row["email"],
            name=row["name"],
            roles=sorted(row["roles"]),
            shipping_address=_address(row["shipping_address"]),
            billing_address=_address(row["billing_address"]),
            payment_methods=[
                PaymentMethodSummary(
                    id=UUID(m["id"]),
                    brand=m["brand"],
                    last4=m["last4"],
                    exp_month=m["exp_month"],
                    exp_year=m["exp_year"],
                )
                for m in methods
            ],
            communications=row["communications"],
        )


async def _payment_method_rows(
    connection: AsyncConnection, account_id: UUID, *, with_token: bool
) -> list[dict[str, Any]]:
    query = select(_methods_of(account_id, with_token=with_token))
    return list((await connection.execute(query)).scalar_one())


def _methods_of(account_id: Any, *, with_token: bool) -> Label[Any]:
    """The account's payment methods, in order, as one JSON array (a column of its own)."""
    table = account_payment_methods
    columns = [c for c in table.c if with_token or c.name != "token"]
    # The keys written into the statement: a parameter there has no type PostgreSQL can infer.
    pairs = ((literal_column(f"'{c.name}'", Text), c) for c in columns)
    method = func.jsonb_build_object(*(x for pair in pairs for x in pair))
    aggregated = (
        select(
            func.coalesce(
                func.jsonb_agg(aggregate_order_by(method, table.c.position)),
                func.jsonb_build_array(),
            )
        )
        .where(table.c.account_id == account_id)
        .scalar_subquery()
    )
    return aggregated.label("payment_methods")


def _columns(account: Account) -> dict[str, Any]:
    return {
        "email": account.email,
        "name": account.name,
        "password_hash": account.password_hash,
        "roles": sorted(account.roles),
        "shipping_address": _json(account.shipping_address),
        "billing_address": _json(account.billing_address),
        "created_at": account.created_at,
        "communications": account.communications,
    }


def _json(address: Address | None) -> dict[str, Any] | None:
    return None if address is None else msgspec.to_builtins(address)


def _address(value: dict[str, Any] | None) -> Address | None:
    return None if value is None else msgspec.convert(value, Address)


def _account_from_rows(row: Row, methods: list[dict[str, Any]]) -> Account:
    return Account(
        account_id=row["id"],
        email=row["email"],
        name=row["name"],
        password_hash=row["password_hash"],
        roles=frozenset(row["roles"]),
        created_at=row["created_at"],
        shipping_address=_address(row["shipping_address"]),
        billing_address=_address(row["billing_address"]),
        payment_methods=[
            PaymentMethod(
                id=UUID(m["id"]),
                brand=m["brand"],
                last4=m["last4"],
                exp_month=m["exp_month"],
                exp_year=m["exp_year"],
                token=m["token"],
            )
            for m in methods
        ],
        communications=row["communications"],
        version=row["version"],
    )


_BY_ID = _with_methods(accounts.c.id)
_BY_EMAIL = _with_methods(accounts.c.email)
