"""Authentication (bearer JWT, checked against the revocation list) and role guards.

The middleware only identifies the caller: a request without a token goes on anonymous, one
with a bad, expired or revoked token is a 401. Guards decide: `signed_in` needs a caller,
`requires_role(...)` a caller with one of the roles (`admin` may do everything).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from commerce.entrypoints.logs import customer_id
from commerce.ports.auth import InvalidTokenError, Principal, TokenIssuer, TokenRevocations

# Guards are coroutines: Litestar runs a plain function guard in a worker thread.
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]
_UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if header is None:
            return AuthenticationResult(user=None, auth=None)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized("use an `Authorization: Bearer <token>` header")
        try:
            principal = await verified_principal(connection, token.strip())
        except InvalidTokenError as error:
            raise _unauthorized(str(error)) from None
        return AuthenticationResult(user=principal, auth=token)


async def verified_principal(
    connection: ASGIConnection[Any, Any, Any, Any], token: str
) -> Principal:
    """The caller an access token names, wherever it came from (a header, the storefront's
    session cookie). Raise `InvalidTokenError` saying why it is refused."""
    container = connection.app.state.container
    issuer: TokenIssuer = container.token_issuer()
    revocations: TokenRevocations = container.token_revocations()
    try:
        principal = issuer.verify(token)
    except InvalidTokenError:
        raise InvalidTokenError("the token is invalid or has expired") from None
    # Fails closed: when Redis cannot tell, this raises and the request is a 503.
    if await revocations.is_revoked(principal):
        raise InvalidTokenError("the token has been revoked")
    if not principal.is_staff:
        customer_id.set(str(principal.account_id))  # on the request's log lines
    return principal


def _unauthorized(detail: str) -> NotAuthorizedException:
    return NotAuthorizedException(detail=detail, headers=_UNAUTHORIZED_HEADERS)


def caller(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise _unauthorized("sign in first")
    return user


def optional_caller(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The caller on a route anyone may use; None when anonymous."""
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    caller(connection)


def requires_role(*roles: str) -> Guard:
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = caller(connection)
        if not any(principal.may_act_as(role) for role in roles):
            raise PermissionDeniedException(detail=f"needs the role {' or '.join(roles)}")

    return guard


def provide_principal(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """Litestar dependency `principal`, for handlers behind a guard."""
    return caller(request)
