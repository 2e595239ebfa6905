"""Every request has an id: the caller's `X-Request-Id` when it is well-formed, else a new
one. It is returned in the response's `X-Request-Id`, set on the request's span, and stamped
on every log line written while the request runs, with the line that ends it: method, route
template, status and duration (uvicorn's own access log is off: it knows no trace)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any, cast

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from opentelemetry import trace

from commerce.entrypoints.logs import customer_id, request_id

HEADER = "X-Request-Id"
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_STATE_KEY = "request_id"

logger = logging.getLogger("commerce.requests")


def request_id_of(scope: Scope) -> str:
    """The request's id, chosen on first ask and kept in its scope."""
    state: dict[str, Any] = scope.setdefault("state", {})
    if _STATE_KEY not in state:
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        text = given.decode("latin-1")
        state[_STATE_KEY] = text if _WELL_FORMED.fullmatch(text) else uuid.uuid4().hex
    chosen: str = state[_STATE_KEY]
    return chosen


async def add_request_id(message: Message, scope: Scope) -> None:
    """A `before_send` hook: every response says its request's id, those Litestar answers
    before any route's middleware runs (an unknown path) included."""
    if message["type"] == "http.response.start":
        MutableScopeHeaders.from_message(message)[HEADER] = request_id_of(scope)


class RequestLogMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        chosen = request_id_of(scope)
        request_id.set(chosen)
        customer_id.set(None)  # the bearer middleware, inside, sets it for a customer's token
        trace.get_current_span().set_attribute("http.request.id", chosen)
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await next_app(scope, receive, send_noting_status)
        finally:
            if logger.isEnabledFor(logging.INFO):
                logger.info(
                    "%s %s %d",
                    cast(HTTPScope, scope)["method"],
                    scope.get("path_template", scope["path"]),
                    status,
                    extra={"duration_ms": round((time.perf_counter() - started) * 1000, 1)},
                )
