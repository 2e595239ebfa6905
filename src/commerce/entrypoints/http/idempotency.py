"""`Idempotency-Key` on unsafe POSTs (API.md, Conventions): a retry with the same key and body
replays the first response (`Idempotent-Replayed: true`) instead of acting twice.

A route is idempotent by declaring the `idempotency` dependency. That documents the header,
and hands the handler the caller's key, from which it derives the ids of what it creates (so
that a retry after a crash finds them instead of creating more, see `derived_id`):

    @post("/", guards=[requires_role("customer")])
    async def place(self, idempotency: Injected[Idempotency], ...) -> Response[OrderView]:
        command = PlaceOrder(order_id=idempotency.derived_id("order"), ...)

A route where the key is welcome but not required (a retry of it is harmless anyway)
declares `optional_idempotency` instead (`Idempotency | None`): without the header it runs as
any route; with it, exactly as above.

`IdempotencyMiddleware` does the rest around every such route, once: it runs the route's
guards, claims the key, replays a stored response or runs the route holding its response
back, stores that response if it is a 2xx (or releases the key), and sends it.

Errors: no header at all is a 400 problem naming the header (the request is malformed: the
route cannot run without one); a header that is empty or longer than 255 characters is a 422
with the field `Idempotency-Key`, as is a key reused with another body; a key whose first
request is still running is a 409 `request_in_flight`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.exceptions import ClientException
from litestar.middleware import ASGIMiddleware
from litestar.openapi.spec import OpenAPIType
from litestar.params import HeaderParameter
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from commerce.domain.errors import DomainValidationError
from commerce.entrypoints.http.auth import caller
from commerce.ports.clock import Clock
from commerce.ports.idempotency import IdempotencyStore, StoredResponse, derived_id

DEPENDENCY = "idempotency"
OPTIONAL_DEPENDENCY = "optional_idempotency"
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
        # Documented as a required string of 1-255 characters, but checked by `_checked()`
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


OptionalIdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        description="Optional. A unique value per operation (1-255 characters), sent again "
        "unchanged when retrying it: the retry replays the first response "
        "(`Idempotent-Replayed: true`) instead of acting twice. Kept at least 24 h per caller.",
        required=False,
        schema_extra={
            "type": OpenAPIType.STRING,
            "one_of": None,
            "min_length": 1,
            "max_length": MAX_KEY_LENGTH,
        },
    ),
]


class Idempotency(msgspec.Struct, frozen=True, kw_only=True):
    """The key of this request, in the scope of its caller (keys of two callers never meet)."""

    scope: str
    key: str

    def derived_id(self, purpose: str) -> UUID:
        return derived_id(self.scope, self.key, purpose)


def provide_idempotency(
    request: Request[Any, Any, Any], idempotency_key: IdempotencyKey = None
) -> Idempotency:
    """The `idempotency` dependency (its parameter documents the header)."""
    return Idempotency(scope=str(caller(request).account_id), key=_checked(idempotency_key))


def provide_optional_idempotency(
    request: Request[Any, Any, Any], idempotency_key: OptionalIdempotencyKey = None
) -> Idempotency | None:
    """The `optional_idempotency` dependency: None without the header."""
    if idempotency_key is None:
        return None
    return provide_idempotency(request, idempotency_key)


class IdempotencyMiddleware(ASGIMiddleware):
    """Claims, replays and stores around the routes that declare `idempotency`, and those
    that declare `optional_idempotency` when the header is sent; only those. `store` and
    `clock` are asked per request (a test may override them)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, store: Callable[[], IdempotencyStore], clock: Callable[[], Clock]) -> None:
        self._store = store
        self._clock = clock

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope["route_handler"]
        declared = handler.parsed_fn_signature.parameters
        if DEPENDENCY not in declared and not (
            OPTIONAL_DEPENDENCY in declared and HEADER in Headers.from_scope(scope)
        ):
            await next_app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope, receive)
        # Guards first, as on any route (they run again inside it): a caller who may not use
        # the route learns that, not what is wrong with the key.
        await handler.authorize_connection(request)
        this = provide_idempotency(request, request.headers.get(HEADER))
        store, clock = self._store(), self._clock()
        stored = await store.claim(this.scope, this.key, await fingerprint(request), clock.now())
        if stored is not None:
            await _replay(stored)(scope, receive, send)
            return
        held = _HeldResponse()
        try:
            await next_app(scope, receive, held.send)
        except BaseException:
            await store.release(this.scope, this.key)
            raise
        if held.succeeded:
            await store.complete(this.scope, this.key, held.stored(), clock.now())
        else:
            await store.release(this.scope, this.key)
        await held.forward(send)


async def fingerprint(request: Request[Any, Any, Any]) -> str:
    """The same for the same method, path and JSON body, whatever its whitespace or key order."""
    body = await request.body()
    try:
        canonical = msgspec.json.encode(msgspec.json.decode(body), order="sorted")
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        # Empty, not JSON, nested too deeply or not UTF-8: compared byte for byte (and the
        # route refuses what it cannot read, which releases the key).
        canonical = body
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


def _replay(stored: StoredResponse) -> ASGIResponse:
    return ASGIResponse(
        body=stored.body,
        status_code=stored.status,
        media_type=stored.media_type,
        headers={**stored.headers, REPLAYED_HEADER: "true"},
    )


class _HeldResponse:
    """The route's response as it went out (its ASGI messages), held until it is stored."""

    def __init__(self) -> None:
        self._messages: list[Message] = []
        self._status = 500  # until the route starts its response (it always does)
        self._headers = Headers()
        self._body = b""

    async def send(self, message: Message) -> None:
        self._messages.append(message)
        if message["type"] == "http.response.start":
            self._status = message["status"]
            self._headers = Headers(message["headers"])
        elif message["type"] == "http.response.body":
            self._body += message.get("body", b"")

    @property
    def succeeded(self) -> bool:
        return 200 <= self._status < 300

    def stored(self) -> StoredResponse:
        return StoredResponse(
            status=self._status,
            body=self._body,
            media_type=self._headers.get("content-type", ""),
            headers={name: value for name, value in self._headers.items() if name in _KEPT_HEADERS},
        )

    async def forward(self, send: Send) -> None:
        for message in self._messages:
            await send(message)
