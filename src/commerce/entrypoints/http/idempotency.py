"""`Idempotency-Key` on unsafe POSTs (API.md, Conventions): a retry with the same key and body
replays the first response (`Idempotent-Replayed: true`) instead of acting twice.

A route declares the header with `IdempotencyKey` and wraps its work in `idempotent(...)`:

    async def place(self, request: Request[Any, Any, Any], principal: Injected[Principal],
                    idempotency_store: Injected[IdempotencyStore], clock: Injected[Clock], ...,
                    idempotency_key: IdempotencyKey = None) -> Response[OrderView]:
        async def run() -> Response[OrderView]: ...  # 201, with Location and Consistency-Token
        return await idempotent(request, str(principal.account_id), idempotency_key,
                                store=idempotency_store, clock=clock, run=run)

Errors: no header at all is a 400 problem naming the header (the request is malformed: the
route cannot run without one); a header that is empty or longer than 255 characters is a 422
with the field `Idempotency-Key`, as is a key reused with another body; a key whose first
request is still running is a 409 `request_in_flight`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Annotated, Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import ClientException
from litestar.openapi.spec import OpenAPIType
from litestar.params import HeaderParameter

from commerce.domain.errors import DomainValidationError
from commerce.ports.clock import Clock
from commerce.ports.idempotency import IdempotencyStore, StoredResponse

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
# What a replay must say again; the rest (content length, server timing, ...) is per response.
_KEPT_HEADERS = frozenset({"location", "consistency-token", "etag"})

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        description="Required. A unique value per operation (1-255 characters), sent again "
        "unchanged when retrying it: the retry replays the first response "
        "(`Idempotent-Replayed: true`) instead of acting twice. Kept at least 24 h per caller.",
        # Documented as a required string of 1-255 characters, but checked by `idempotent()`
        # rather than by Litestar: its errors would name the header neither clearly (a bare 400
        # when missing) nor by its own name (`idempotency_key`).
        required=True,
        schema_extra={
            "type": OpenAPIType.STRING,
            "one_of": None,
            "min_length": 1,
            "max_length": MAX_KEY_LENGTH,
        },
    ),
]


async def idempotent(
    request: Request[Any, Any, Any],
    scope: str,
    key: str | None,
    *,
    store: IdempotencyStore,
    clock: Clock,
    run: Callable[[], Awaitable[Response[Any]]],
) -> Response[Any]:
    """Run `run` once per (`scope`, `key`), `scope` being the caller's account id: replay its
    stored response to a retry with the same request, refuse one with another. Only a 2xx is
    stored; when `run` fails or answers otherwise, the key is released so a retry runs again.

    If storing the response fails after `run` succeeded, the error propagates and the key stays
    in flight until its lease runs out; the retry then runs again, and finds what the first
    run created through `derived_id` (see `commerce.ports.idempotency`)."""
    key = _checked(key)
    stored = await store.claim(scope, key, await fingerprint(request), clock.now())
    if stored is not None:
        return _replay(stored)
    try:
        response = await run()
    except BaseException:
        await store.release(scope, key)
        raise
    if not 200 <= _status(request, response) < 300:
        await store.release(scope, key)
        return response
    await store.complete(scope, key, _stored(request, response), clock.now())
    return response


async def fingerprint(request: Request[Any, Any, Any]) -> str:
    """The same for the same method, path and JSON body, whatever its whitespace or key order."""
    body = await request.body()
    try:
        canonical = msgspec.json.encode(msgspec.json.decode(body), order="sorted")
    except msgspec.DecodeError:
        canonical = body  # empty, or not JSON: compared byte for byte
    # Neither a method nor a path holds a newline, so the parts cannot run into each other.
    head = f"{request.method}\n{request.url.path}\n".encode()
    return hashlib.sha256(head + canonical).hexdigest()


def _checked(key: str | None) -> str:
    if key is None:
        raise ClientException(
            detail=f"The {HEADER} header is required here: send a unique value (1-"
            f"{MAX_KEY_LENGTH} characters) per operation, and the same value to retry it."
        )
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise DomainValidationError(HEADER, f"must be 1 to {MAX_KEY_LENGTH} characters")
    return key


def _replay(stored: StoredResponse) -> Response[bytes]:
    return Response(
        stored.body,
        status_code=stored.status,
        media_type=stored.media_type,
        headers={**stored.headers, REPLAYED_HEADER: "true"},
    )


def _stored(request: Request[Any, Any, Any], response: Response[Any]) -> StoredResponse:
    # Litestar's own fallbacks, in its order.
    media_type = _text(response.media_type or request.route_handler.media_type or MediaType.JSON)
    return StoredResponse(
        status=_status(request, response),
        # Rendered as Litestar renders it (the app sets no type encoders of its own).
        body=response.render(response.content, media_type),
        media_type=media_type,
        headers={
            name: str(value)
            for name, value in response.headers.items()
            if name.lower() in _KEPT_HEADERS
        },
    )


def _status(request: Request[Any, Any, Any], response: Response[Any]) -> int:
    # A response without a status of its own gets the route's (201 for a POST).
    return response.status_code or request.route_handler.status_code


def _text(media_type: Enum | str) -> str:
    return str(media_type.value) if isinstance(media_type, Enum) else media_type
