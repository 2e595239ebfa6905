"""Signing in (an access token for email and password) and signing out (revoking it)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from commerce.application.accounts import Confidential
from commerce.application.commands import command
from commerce.domain.account import Account, canonical_email, check_email
from commerce.domain.errors import (
    AuthenticationError,
    DomainValidationError,
    NotFoundError,
    RateLimitedError,
)
from commerce.ports.auth import (
    IssuedToken,
    LoginThrottle,
    PasswordHasher,
    TokenIssuer,
    TokenRevocations,
)
from commerce.ports.unit_of_work import UnitOfWork

# One message for an unknown email and a wrong password: it must not tell which.
WRONG_CREDENTIALS = "The email or password is wrong."


class IssueToken(Confidential, frozen=True, kw_only=True):
    email: str
    password: str
    client: str  # the caller's address, for throttling


class RevokeToken(msgspec.Struct, frozen=True, kw_only=True):
    token_id: str
    expires_at: datetime


@command
async def issue_token(
    cmd: IssueToken,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    issuer: TokenIssuer,
) -> IssuedToken:
    email = canonical_email(cmd.email)
    # Counted before it is checked, so concurrent guesses cannot all slip under the limit.
    if wait := await throttle.admit(email, cmd.client):
        raise RateLimitedError("Too many failed sign-ins: try again later.", wait)
    account = await _find(uow, cmd.email)
    # Checked after the unit of work closed: no database connection waits on the hash. An
    # unknown email still costs one verification, so timing does not tell either.
    matches = await hasher.verify(account.password_hash if account else None, cmd.password)
    if account is None or not matches:
        raise AuthenticationError(WRONG_CREDENTIALS)
    await throttle.forgive(email, cmd.client)
    return issuer.issue(account.id, account.roles)


async def _find(uow: UnitOfWork, email: str) -> Account | None:
    try:
        valid = check_email(email)
    except DomainValidationError:
        return None  # nobody can have it: no need to ask the database
    async with uow:
        try:
            return await uow.accounts.get_by_email(valid)
        except NotFoundError:
            return None


@command
async def revoke_token(cmd: RevokeToken, revocations: TokenRevocations) -> None:
    """The token stays refused until it would have expired anyway."""
    await revocations.revoke(cmd.token_id, cmd.expires_at)
