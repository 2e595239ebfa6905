"""Accounts and their payment methods in PostgreSQL: the repository, and the narrow query for
the owner's profile (which never selects the password hash or a gateway token)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import ColumnElement, delete, insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.adapters.postgres.repository import TrackingRepository
from commerce.adapters.postgres.tables import account_payment_methods, accounts
from commerce.domain.account import Account, DuplicateEmailError, PaymentMethod, canonical_email
from commerce.domain.errors import NotFoundError
from commerce.domain.values import Address
from commerce.ports.accounts import AccountProfile, PaymentMethodSummary

_EMAIL_CONSTRAINT = "uq_accounts_email"


class PostgresAccountRepository(TrackingRepository[Account]):
    async def get(self, account_id: UUID) -> Account:
        return await self._load(accounts.c.id == account_id, f"no account {account_id}")

    async def get_by_email(self, email: str) -> Account:
        return await self._load(accounts.c.email == canonical_email(email), "no such account")

    async def _load(self, where: ColumnElement[bool], missing: str) -> Account:
        row = (
            (await self.connection.execute(select(accounts).where(where))).mappings().one_or_none()
        )
        if row is None:
            raise NotFoundError(missing)
        methods = await _payment_method_rows(self.connection, row["id"], with_token=True)
        return self._track(_account_from_rows(row, methods))

    async def save(self, account: Account, expected_version: int) -> None:
        values = _columns(account)
        if expected_version == 0:
            try:
                await self.connection.execute(
                    insert(accounts).values(id=account.id, version=account.version, **values)
                )
            except IntegrityError as error:
                if _EMAIL_CONSTRAINT in str(error.orig):
                    raise DuplicateEmailError("an account with this email exists") from None
                raise
        else:
            await self._update_versioned(accounts, account.id, account, expected_version, values)
        await self._save_payment_methods(account)

    async def _save_payment_methods(self, account: Account) -> None:
        # A handful of immutable rows per account: rewriting them all is simplest and exact.
        await self.connection.execute(
            delete(account_payment_methods).where(
                account_payment_methods.c.account_id == account.id
            )
        )
        if account.payment_methods:
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
                for position, method in enumerate(account.payment_methods)
            ]
            await self.connection.execute(insert(account_payment_methods), rows)


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
                    id=m["id"],
                    brand=m["brand"],
                    last4=m["last4"],
                    exp_month=m["exp_month"],
                    exp_year=m["exp_year"],
                )
                for m in methods
            ],
        )


async def _payment_method_rows(
    connection: AsyncConnection, account_id: UUID, *, with_token: bool
) -> list[RowMapping]:
    table = account_payment_methods
    columns = [c for c in table.c if with_token or c.name != "token"]
    query = select(*columns).where(table.c.account_id == account_id).order_by(table.c.position)
    return list((await connection.execute(query)).mappings())


def _columns(account: Account) -> dict[str, Any]:
    return {
        "email": account.email,
        "name": account.name,
        "password_hash": account.password_hash,
        "roles": sorted(account.roles),
        "shipping_address": _json(account.shipping_address),
        "billing_address": _json(account.billing_address),
        "created_at": account.created_at,
    }


def _json(address: Address | None) -> dict[str, Any] | None:
    return None if address is None else msgspec.to_builtins(address)


def _address(value: dict[str, Any] | None) -> Address | None:
    return None if value is None else msgspec.convert(value, Address)


def _account_from_rows(row: RowMapping, methods: list[RowMapping]) -> Account:
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
                id=m["id"],
                brand=m["brand"],
                last4=m["last4"],
                exp_month=m["exp_month"],
                exp_year=m["exp_year"],
                token=m["token"],
            )
            for m in methods
        ],
        version=row["version"],
    )
