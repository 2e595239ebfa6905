"""Who is calling: access tokens, their revocation, and the roles they carry."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

STAFF_ROLES = frozenset({"operator", "stock_operator", "shipping_operator", "admin"})
ROLES = STAFF_ROLES | {"customer"}


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    account_id: UUID
    roles: frozenset[str]
    token_id: str
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
    async def revoke(self, token_id: str, until: datetime) -> None:
        """Remember the token as revoked until it would have expired anyway."""
        ...

    async def is_revoked(self, token_id: str) -> bool: ...
