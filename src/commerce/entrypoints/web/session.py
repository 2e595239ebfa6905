"""The storefront's session: the API's own access token, kept in an `HttpOnly` cookie.

The cookie holds exactly what the JSON API's `Authorization` header would, so the pages check
it the same way (`verified_principal`: signature, expiry, revocation) and the role guards of
the API apply unchanged. The API has no refresh token, so the session slides instead: a token
past half its life is replaced by a fresh one for the same account and roles on the next page
(the old one is left to expire, so a page loading in parallel with it is not signed out). A
session left idle for a whole token lifetime ends, and the next page asks to sign in again.
Signing out revokes the token in hand, as `POST /v1/auth/logout` does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from commerce.entrypoints.http.auth import verified_principal
from commerce.entrypoints.web.cookies import SESSION, cookie, expired, send_with_cookie
from commerce.ports.auth import InvalidTokenError, IssuedToken, Principal, TokenIssuer


def session_cookie(token: IssuedToken) -> Cookie:
    """The cookie that signs a browser in, for as long as its token lives."""
    return cookie(SESSION, token.access_token, token.expires_in)


def needs_renewal(principal: Principal, now: datetime) -> bool:
    """Past half its life: renewed now, it never runs out under a shopper who keeps going."""
    lifetime = principal.expires_at - principal.issued_at
    return principal.expires_at - now < lifetime / 2 and lifetime > timedelta(0)


class SessionMiddleware(ASGIMiddleware):
    """Signs the request in from the session cookie (as the bearer middleware does from its
    header). A cookie that no longer holds (expired, revoked, forged) is removed, and the
    request goes on anonymous: a page, not an error."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope)
        token = request.cookies.get(SESSION)
        if not token or scope.get("user") is not None:
            await next_app(scope, receive, send)
            return
        try:
            principal = await verified_principal(request, token)
        except InvalidTokenError:
            await next_app(scope, receive, send_with_cookie(send, expired(SESSION)))
            return
        scope["user"], scope["auth"] = principal, token
        container = request.app.state.container
        if needs_renewal(principal, container.clock().now()):
            issuer: TokenIssuer = container.token_issuer()
            renewed = issuer.issue(principal.account_id, principal.roles)
            send = send_with_cookie(send, session_cookie(renewed))
        await next_app(scope, receive, send)
