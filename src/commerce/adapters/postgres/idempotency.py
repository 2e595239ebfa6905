"""Idempotency keys in PostgreSQL: each call is its own statement (or, when a claim meets a key
in use, one short transaction), never part of the command's, so a claim is visible to every
other request at once. A first claim, a completion and a release are one round trip each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from asyncpg import Record
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    and_,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.prepared import Prepared
from commerce.adapters.postgres.session import Session
from commerce.adapters.postgres.tables import idempotency_keys as keys
from commerce.ports.idempotency import (
    LEASE,
    IdempotencyKeyReusedError,
    RequestInFlightError,
    StoredResponse,
)

# A claim retries only when the row changed between two of its statements (released, or taken
# over); more than a few such races in a row means the key is contended: in flight.
_ATTEMPTS = 5


class PostgresIdempotencyStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def claim(
        self, scope: str, key: str, fingerprint: str, now: datetime
    ) -> StoredResponse | None:
        values = _claim_values(scope, key, fingerprint, now)
        if await self._once(_CLAIM, values) is not None:
            return None
        return await self._claim_used(scope, key, fingerprint, now)

    async def _claim_used(
        self, scope: str, key: str, fingerprint: str, now: datetime
    ) -> StoredResponse | None:
        for _ in range(_ATTEMPTS):
            async with self._engine.begin() as connection:
                # The primary key decides between concurrent first claims: one inserts, the
                # others (after waiting for its commit) insert nothing.
                values = _claim_values(scope, key, fingerprint, now)
                inserted = await connection.execute(_CLAIMING, values)
                if inserted.first() is not None:
                    return None
                row = (await connection.execute(select(keys).where(_is(scope, key)))).first()
                if row is None:
                    continue  # released since the insert looked
                if row.fingerprint != fingerprint:
                    raise IdempotencyKeyReusedError
                if row.response_status is not None:
                    return StoredResponse(
                        status=row.response_status,
                        body=row.response_body,
                        media_type=row.response_media_type,
                        headers=row.response_headers,
                    )
                if row.lease_until > now:
                    raise RequestInFlightError
                # Take over the abandoned claim, unless another request just did.
                taken = await connection.execute(
                    update(keys)
                    .where(
                        _is(scope, key),
                        keys.c.response_status.is_(None),
                        keys.c.lease_until == row.lease_until,
                    )
                    .values(lease_until=now + LEASE)
                    .returning(keys.c.key)
                )
                if taken.first() is not None:
                    return None
        raise RequestInFlightError

    async def complete(self, scope: str, key: str, response: StoredResponse, now: datetime) -> None:
        values = {
            "scope": scope,
            "key": key,
            "completed_at": now,
            "response_status": response.status,
            "response_body": response.body,
            "response_media_type": response.media_type,
            "response_headers": response.headers,
        }
        await self._once(_COMPLETE, values)

    async def release(self, scope: str, key: str) -> None:
        await self._once(_RELEASE, {"scope": scope, "key": key})

    async def _once(self, statement: Prepared, values: dict[str, Any]) -> Record | None:
        """One statement in a transaction of its own: one round trip."""
        session = Session(self._engine)
        try:
            return await session.fetch_one(statement, values)
        finally:
            await session.release()

    async def purge(self, before: datetime) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(keys).where(func.coalesce(keys.c.completed_at, keys.c.lease_until) < before)
            )
        return result.rowcount


_CLAIMED = ("scope", "key", "fingerprint", "created_at", "lease_until")


def _claim_values(scope: str, key: str, fingerprint: str, now: datetime) -> dict[str, Any]:
    return {
        "scope": scope,
        "key": key,
        "fingerprint": fingerprint,
        "created_at": now,
        "lease_until": now + LEASE,
    }


def _is(scope: Any, key: Any) -> ColumnElement[bool]:
    return and_(keys.c.scope == scope, keys.c.key == key)


def _param(name: str) -> BindParameter[Any]:
    return bindparam(name, type_=keys.c[name].type)


# The primary key decides between concurrent first claims: one inserts, the others (after
# waiting for its commit) insert nothing.
_CLAIMING = (
    insert(keys)
    .values({name: _param(name) for name in _CLAIMED})
    .on_conflict_do_nothing()
    .returning(keys.c.key)
)
_CLAIM = Prepared(_CLAIMING)
_RESPONSE = (
    "completed_at",
    "response_status",
    "response_body",
    "response_media_type",
    "response_headers",
)
_COMPLETE = Prepared(
    update(keys)
    .where(_is(_param("scope"), _param("key")), keys.c.response_status.is_(None))
    .values({name: _param(name) for name in _RESPONSE})
    .returning(keys.c.key)
)
_RELEASE = Prepared(
    delete(keys)
    .where(_is(_param("scope"), _param("key")), keys.c.response_status.is_(None))
    .returning(keys.c.key)
)
