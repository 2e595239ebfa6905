"""`Idempotency-Key`: remember each unsafe request's response, so that a retry replays it
instead of acting twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid5

import msgspec

from commerce.domain.errors import ConflictError, DomainValidationError

# How long a claim may stay in flight before another request may take the key over: long
# enough for any request, short enough that a crashed process does not block the key for long.
LEASE = timedelta(seconds=60)

_DERIVED_IDS = uuid5(UUID(int=0), "urn:commerce:idempotency")


class StoredResponse(msgspec.Struct, frozen=True, kw_only=True):
    """A response as it went out, ready to be sent again."""

    status: int
    body: bytes
    media_type: str
    headers: dict[str, str]


class IdempotencyKeyReusedError(DomainValidationError):
    """The key was already used with a different request (422)."""

    def __init__(self) -> None:
        super().__init__(
            "Idempotency-Key", "was already used with a different request; use a new key"
        )


class RequestInFlightError(ConflictError):
    """Another request with the same key has not finished yet (409)."""

    code = "request_in_flight"

    def __init__(self) -> None:
        super().__init__("a request with this Idempotency-Key is still in progress; retry later")


class IdempotencyStore(Protocol):
    """Keys per caller (`scope`), each with the fingerprint of the request that first used it
    and, once it succeeded, its response."""

    async def claim(
        self, scope: str, key: str, fingerprint: str, now: datetime
    ) -> StoredResponse | None:
        """None: the caller now owns the key (in flight for `LEASE`) and runs the request. A
        `StoredResponse`: the request already ran; replay this. A claim whose lease ran out
        (its process crashed) is taken over. Of concurrent claims of a fresh key, exactly one
        gets None.

        Raise `IdempotencyKeyReusedError` when the key was used with another fingerprint, and
        `RequestInFlightError` while another request holds it."""
        ...

    async def complete(self, scope: str, key: str, response: StoredResponse, now: datetime) -> None:
        """Store the (2xx) response of the claim, for replays."""
        ...

    async def release(self, scope: str, key: str) -> None:
        """Forget an in-flight claim (its request failed), so that a retry runs again. A
        completed key stays."""
        ...

    async def purge(self, before: datetime) -> int:
        """Forget the keys completed before `before`, and the claims whose lease ran out
        before it (never completed, never retried); answer how many."""
        ...


def derived_id(scope: str, key: str, purpose: str) -> UUID:
    """The same id for the same caller, key and purpose, always: a handler gives it to what it
    creates, so a retry after a crash between its commit and `complete()` finds that resource
    instead of creating a second one."""
    # A JSON array keeps the three apart whatever characters they hold.
    return uuid5(_DERIVED_IDS, msgspec.json.encode([scope, key, purpose]).decode())
