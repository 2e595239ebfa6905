"""Idempotency keys in PostgreSQL: each call is one short transaction of its own, never part of
the command's, so a claim is visible to every other request at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

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
        for _ in range(_ATTEMPTS):
            async with self._engine.begin() as connection:
                # The primary key decides between concurrent first claims: one inserts, the
                # others (after waiting for its commit) insert nothing.
                inserted = await connection.execute(
                    insert(keys)
                    .values(
                        scope=scope,
                        key=key,
                        fingerprint=fingerprint,
                        created_at=now,
                        lease_until=now + LEASE,
                    )
                    .on_conflict_do_nothing()
                    .returning(keys.c.key)
                )
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
        async with self._engine.begin() as connection:
            await connection.execute(
                update(keys)
                .where(_is(scope, key), keys.c.response_status.is_(None))
                .values(
                    completed_at=now,
                    response_status=response.status,
                    response_body=response.body,
                    response_media_type=response.media_type,
                    response_headers=response.headers,
                )
            )

    async def release(self, scope: str, key: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(keys).where(_is(scope, key), keys.c.response_status.is_(None))
            )

    async def purge(self, before: datetime) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(keys).where(func.coalesce(keys.c.completed_at, keys.c.lease_until) < before)
            )
        return result.rowcount


def _is(scope: str, key: str) -> ColumnElement[bool]:
    return and_(keys.c.scope == scope, keys.c.key == key)
