"""The headers every response carries, set in one place.

A `before_send` hook: Litestar runs it on every response it sends, including those its
exception handlers write for errors raised in middleware (a bad token's 401, a 503), which
a route middleware would never see.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from commerce.entrypoints.http.docs import CONTENT_SECURITY_POLICY as DOCS_POLICY
from commerce.entrypoints.http.docs import DOCS_PATH

# A JSON API loads nothing and is framed by nobody.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# A router or route that serves something else names its own policy in this `opt` key.
POLICY_OPT = "content_security_policy"
_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in _ALWAYS.items():
        headers[name] = value
    headers["Content-Security-Policy"] = _policy(scope)
    # What a signed-in caller sees is theirs alone; and a response that does not say it may
    # be cached (a sign-up's account, a token) is not, rather than left to a cache to guess.
    if _signed_in(scope) or "cache-control" not in headers:
        headers["Cache-Control"] = "no-store"


def _policy(scope: Scope) -> str:
    handler = scope.get("route_handler")
    if handler is not None and (policy := handler.opt.get(POLICY_OPT)):
        return str(policy)
    return DOCS_POLICY if _is_docs(scope) else API_POLICY


def _is_docs(scope: Scope) -> bool:
    path: str = scope["path"]
    return path == DOCS_PATH or path.startswith(f"{DOCS_PATH}/")


def _signed_in(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope["headers"])
