"""Short-lived HS256 JWTs with a unique id (`jti`) so each one can be revoked."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt

from commerce.ports.auth import InvalidTokenError, IssuedToken, Principal
from commerce.ports.clock import Clock

_ALGORITHM = "HS256"
_ISSUER = "commerce"
_REMEMBERED = 10_000  # tokens, a few MB at most


class JwtTokenIssuer:
    def __init__(self, secret: str, ttl_seconds: int, clock: Clock) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._clock = clock
        # A client sends the same token with every request: its signature and claims are
        # checked once per process (a tenth of a millisecond each time otherwise). A bad token
        # raises, and is not remembered; expiry is checked on every use, below.
        self._decoded = functools.lru_cache(maxsize=_REMEMBERED)(self._decode)

    def issue(self, account_id: UUID, roles: frozenset[str]) -> IssuedToken:
        now = self._clock.now()
        claims = {
            "sub": str(account_id),
            "roles": sorted(roles),
            "jti": uuid.uuid4().hex,
            "iss": _ISSUER,
            # To the microsecond (RFC 7519 allows fractions): a password change revokes the
            # tokens issued up to its moment, and a sign-in just after it must not be one.
            "iat": round(now.timestamp(), 6),
            "exp": int((now + timedelta(seconds=self._ttl)).timestamp()),
        }
        return IssuedToken(jwt.encode(claims, self._secret, algorithm=_ALGORITHM), self._ttl)

    def verify(self, token: str) -> Principal:
        principal = self._decoded(token)
        # Expiry is checked against the injected clock, not the system's.
        if principal.expires_at <= self._clock.now():
            raise InvalidTokenError("token expired")
        return principal

    def _decode(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                options={"require": ["sub", "jti", "exp", "iat"], "verify_exp": False},
            )
            expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
            principal = Principal(
                account_id=UUID(claims["sub"]),
                roles=frozenset(str(role) for role in claims.get("roles", [])),
                token_id=str(claims["jti"]),
                issued_at=datetime.fromtimestamp(float(claims["iat"]), UTC),
                expires_at=expires_at,
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidTokenError("invalid token") from error
        return principal
