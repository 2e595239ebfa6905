"""The storefront's cookies: `HttpOnly` and `SameSite=Lax` always, `Secure` when the request
came over TLS.

uvicorn sets the scheme from `X-Forwarded-Proto` only for `COMMERCE_TRUSTED_PROXIES` (see
`cli.forwarded_for_options`), so "over TLS" means: to this process, or to a proxy we trust.
The `Secure` flag is added in one place for every cookie the pages set (the session, the
consistency token, Litestar's CSRF cookie), as the responses go out.
"""

from __future__ import annotations

from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

SESSION = "session"
CONSISTENCY = "consistency"
CSRF = "csrftoken"
# Long enough to follow a redirect on a slow phone; the page that reads it removes it.
CONSISTENCY_MAX_AGE = 60


def cookie(key: str, value: str, max_age: int) -> Cookie:
    return Cookie(key=key, value=value, max_age=max_age, path="/", httponly=True, samesite="lax")


def expired(key: str) -> Cookie:
    return cookie(key, "", 0)


def secured(set_cookie: bytes) -> bytes:
    """A `Set-Cookie` value with the `Secure` attribute (once)."""
    attributes = {part.strip().lower() for part in set_cookie.split(b";")[1:]}
    return set_cookie if b"secure" in attributes else set_cookie + b"; Secure"


class SecureCookiesOverTls(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("scheme") != "https":
            await next_app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (name, secured(value) if name.lower() == b"set-cookie" else value)
                    for name, value in message["headers"]
                ]
            await send(message)

        await next_app(scope, receive, send_secured)


def send_with_cookie(send: Send, set_cookie: Cookie, *, unless_status: range = range(0)) -> Send:
    """`send`, adding the cookie to the response, unless the response sets that cookie itself
    (a sign-in or sign-out decides) or its status is in `unless_status`."""
    header = set_cookie.to_header(header="").encode()
    prefix = f"{set_cookie.key}=".encode()

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] not in unless_status:
            headers = message["headers"]
            if not any(
                name.lower() == b"set-cookie" and value.startswith(prefix)
                for name, value in headers
            ):
                message["headers"] = [*headers, (b"set-cookie", header)]
        await send(message)

    return wrapped


class ConsistencyTokenReadOnce(ASGIMiddleware):
    """The consistency token a command left for the next page is removed by that page (not by
    the redirect on the way to it): later pages need not wait for it again."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if CONSISTENCY.encode() + b"=" not in _cookie_header(scope):
            await next_app(scope, receive, send)
            return
        redirects = range(300, 400)
        await next_app(
            scope, receive, send_with_cookie(send, expired(CONSISTENCY), unless_status=redirects)
        )


def _cookie_header(scope: Scope) -> bytes:
    return b";".join(value for name, value in scope["headers"] if name == b"cookie")
