"""Who is calling: access tokens, their revocation, and the roles they carry."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from commerce.domain.account import STAFF_ROLES


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    account_id: UUID
    roles: frozenset[str]
    token_id: str
    issued_at: datetime
    expires_at: datetime

    def may_act_as(self, role: str) -> bool:
        """`admin` may do everything."""
        return role in self.roles or "admin" in self.roles

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


class IssuedToken(msgspec.Struct, frozen=True):
    access_token: str
    expires_in: int


class InvalidTokenError(Exception):
    """The token is malformed, forged, expired or revoked."""


class TokenIssuer(Protocol):
    def issue(self, account_id: UUID, roles: frozenset[str]) -> IssuedToken: ...

    def verify(self, token: str) -> Principal:
        """Raise `InvalidTokenError` unless the token is genuine and unexpired."""
        ...


class TokenRevocations(Protocol):
    """Tokens refused before they expire: one (signing out), or all of an account's but the one
    in hand (changing the password). Each is remembered only until its tokens expire anyway."""

    async def revoke(self, token_id: str, until: datetime) -> None:
        """Remember the token as revoked until it would have expired anyway."""
        ...

    async def revoke_others(self, account_id: UUID, keep: str, issued_until: datetime) -> None:
        """Revoke every token of the account issued at or before `issued_until`, except the one
        whose id is `keep`. Tokens issued later are not affected; a later call replaces this
        one (its moment is later, so it revokes at least as much)."""
        ...

    async def is_revoked(self, principal: Principal) -> bool:
        """Whether the token was revoked itself or with its account's other tokens."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing. Implementations keep the work off the event loop."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches `password_hash`. With no hash (there is no such account)
        it still spends one verification and answers False, so a sign-in with an unknown email
        takes as long as one with a wrong password."""
        ...


class ThrottlePolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Failed sign-ins allowed per email and per client address within one window; once
    either count is reached, that email or client waits for the window to end."""

    failures_per_email: int = 5
    failures_per_client: int = 50
    window_seconds: int = 900


class LoginThrottle(Protocol):
    """Counts sign-in attempts per email and per client address (fixed windows).

    An attempt is counted when it is admitted, before the password is checked, and given back
    when it succeeds: however many run at once, no more than the allowed number of wrong
    passwords are ever checked in a window."""

    async def admit(self, email: str, client: str) -> int:
        """Check and count one attempt, as one step: 0 when it may go ahead (it now counts as a
        failure until forgiven); otherwise the seconds until `email` may try again from
        `client`, and the attempt is not counted."""
        ...

    async def forgive(self, email: str, client: str) -> None:
        """The admitted attempt succeeded: the email's failures are cleared and the client gets
        this attempt back. The client's other failures stay, or one valid account would reset
        a guesser's budget."""
        ...
