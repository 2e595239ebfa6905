"""Revoked tokens in PostgreSQL: the record. Redis caches it (adapters/token_revocations.py);
whatever Redis forgets is read again from here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, ScalarSelect, delete, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.engine import unavailable_when_down
from commerce.adapters.postgres.tables import revoked_account_tokens, revoked_tokens
from commerce.ports.auth import Principal
from commerce.ports.clock import Clock


@dataclass(frozen=True)
class RevokedToken:
    token_id: str
    expires_at: datetime


@dataclass(frozen=True)
class RevokedAccountTokens:
    account_id: UUID
    issued_until: datetime
    kept_token_id: str
    expires_at: datetime


class PostgresTokenRevocations:
    def __init__(self, engine: AsyncEngine, clock: Clock, token_lifetime: int) -> None:
        self._engine = engine
        self._clock = clock
        self._lifetime = timedelta(seconds=token_lifetime)

    async def revoke(self, token_id: str, until: datetime) -> None:
        if until <= self._clock.now():
            return
        row = insert(revoked_tokens).values(token_id=token_id, expires_at=until)
        upsert = row.on_conflict_do_nothing(index_elements=[revoked_tokens.c.token_id])
        async with self._engine.begin() as connection:
            await connection.execute(upsert)

    async def revoke_others(self, account_id: UUID, keep: str, issued_until: datetime) -> None:
        until = issued_until + self._lifetime
        if until <= self._clock.now():
            return
        values = {"issued_until": issued_until, "kept_token_id": keep, "expires_at": until}
        row = insert(revoked_account_tokens).values(account_id=account_id, **values)
        # A later change revokes at least as much; an earlier one arriving late changes nothing.
        upsert = row.on_conflict_do_update(
            index_elements=[revoked_account_tokens.c.account_id],
            set_=values,
            where=revoked_account_tokens.c.issued_until <= issued_until,
        )
        async with self._engine.begin() as connection:
            await connection.execute(upsert)

    async def is_revoked(self, principal: Principal) -> bool:
        """One round trip: the token's own row, and its account's, both still in force."""
        now = self._clock.now()
        token = select(revoked_tokens.c.token_id).where(
            revoked_tokens.c.token_id == principal.token_id, revoked_tokens.c.expires_at > now
        )
        account = revoked_account_tokens.c.account_id == principal.account_id
        in_force = revoked_account_tokens.c.expires_at > now

        def others(column: ColumnElement[Any]) -> ScalarSelect[Any]:
            return select(column).where(account, in_force).scalar_subquery()

        query = select(
            exists(token).label("token"),
            others(revoked_account_tokens.c.issued_until).label("issued_until"),
            others(revoked_account_tokens.c.kept_token_id).label("kept"),
        )
        with unavailable_when_down():
            async with self._engine.connect() as connection:
                row = (await connection.execute(query)).one()
        if row.token:
            return True
        return (
            row.issued_until is not None
            and principal.token_id != row.kept
            and principal.issued_at <= row.issued_until
        )

    async def unexpired(self) -> tuple[Sequence[RevokedToken], Sequence[RevokedAccountTokens]]:
        """Everything still in force (to fill a cache), after deleting what is not."""
        now = self._clock.now()
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(revoked_tokens).where(revoked_tokens.c.expires_at <= now)
            )
            await connection.execute(
                delete(revoked_account_tokens).where(revoked_account_tokens.c.expires_at <= now)
            )
            tokens = (await connection.execute(select(revoked_tokens))).all()
            accounts = (await connection.execute(select(revoked_account_tokens))).all()
        return (
            [RevokedToken(row.token_id, row.expires_at) for row in tokens],
            [
                RevokedAccountTokens(
                    row.account_id, row.issued_until, row.kept_token_id, row.expires_at
                )
                for row in accounts
            ],
        )
