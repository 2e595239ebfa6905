"""Account commands: register, create staff, change details or password, save and remove
payment methods."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.domain.account import (
    Account,
    Communications,
    PaymentMethod,
    check_email,
    check_password,
    check_staff_roles,
)
from commerce.domain.errors import DomainValidationError, RateLimitedError
from commerce.domain.values import Address
from commerce.ports.auth import LoginThrottle, PasswordHasher, TokenRevocations
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork


class Confidential(msgspec.Struct, frozen=True, kw_only=True):
    """A command whose repr (in a log line or a traceback) hides passwords and tokens."""

    hidden: ClassVar[frozenset[str]] = frozenset({"password", "current_password", "token"})

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={'***' if name in self.hidden else repr(getattr(self, name))}"
            for name in self.__struct_fields__
        )
        return f"{type(self).__name__}({fields})"


class RegisterAccount(Confidential, frozen=True, kw_only=True):
    email: str
    password: str
    name: str
    shipping_address: Address | None = None
    billing_address: Address | None = None


class CreateStaffAccount(Confidential, frozen=True, kw_only=True):
    email: str
    password: str
    name: str
    roles: frozenset[str]


class ChangeAccount(Confidential, frozen=True, kw_only=True):
    """Fields left `UNSET` stay as they are; an address set to `None` is removed. `client` is
    the caller's address, for throttling guesses of the current password; `token_id` the token
    the change is made with, the one that stays valid when the password changes."""

    account_id: UUID
    token_id: str
    client: str
    name: str | msgspec.UnsetType = msgspec.UNSET
    shipping_address: Address | msgspec.UnsetType | None = msgspec.UNSET
    billing_address: Address | msgspec.UnsetType | None = msgspec.UNSET
    password: str | msgspec.UnsetType = msgspec.UNSET
    current_password: str | msgspec.UnsetType = msgspec.UNSET
    communications: Communications | msgspec.UnsetType = msgspec.UNSET


class AddPaymentMethod(Confidential, frozen=True, kw_only=True):
    account_id: UUID
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    token: str


class RemovePaymentMethod(msgspec.Struct, frozen=True, kw_only=True):
    account_id: UUID
    payment_method_id: UUID


@dataclass(frozen=True)
class AccountChanged:
    account: Account
    event_ids: list[UUID]


@dataclass(frozen=True)
class PaymentMethodSaved:
    method: PaymentMethod
    event_ids: list[UUID]


@command
async def register_account(
    cmd: RegisterAccount, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock
) -> AccountChanged:
    """A customer signs up. A taken email (in any letter case) is a `DuplicateEmailError`."""
    return await _register(
        cmd.email,
        cmd.password,
        cmd.name,
        frozenset({"customer"}),
        uow=uow,
        hasher=hasher,
        clock=clock,
        shipping_address=cmd.shipping_address,
        billing_address=cmd.billing_address,
    )


@command
async def create_staff_account(
    cmd: CreateStaffAccount, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock
) -> AccountChanged:
    roles = check_staff_roles(cmd.roles)
    return await _register(
        cmd.email, cmd.password, cmd.name, roles, uow=uow, hasher=hasher, clock=clock
    )


async def _register(
    email: str,
    password: str,
    name: str,
    roles: frozenset[str],
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    shipping_address: Address | None = None,
    billing_address: Address | None = None,
) -> AccountChanged:
    # The cheap checks first: a bad request must not cost a hash.
    check_email(email)
    check_password(password)
    account = Account.register(
        account_id=uuid.uuid4(),
        email=email,
        name=name,
        password_hash=await hasher.hash(password),
        roles=roles,
        now=clock.now(),
        shipping_address=shipping_address,
        billing_address=billing_address,
    )
    async with uow:
        uow.accounts.add(account)  # the unique email is enforced by the store, race or not
        event_ids = await uow.commit()
    return AccountChanged(account, event_ids)


@command
async def change_account(
    cmd: ChangeAccount,
    uow: UnitOfWork,
    *,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    revocations: TokenRevocations,
    clock: Clock,
) -> AccountChanged:
    """A new password signs out every other token of the account (a thief's included); the
    one the change is made with stays, so the person who made it is not thrown out."""
    new_password = cmd.password if isinstance(cmd.password, str) else None
    current_password = cmd.current_password if isinstance(cmd.current_password, str) else None
    if new_password is not None:
        check_password(new_password)
        if current_password is None:
            raise DomainValidationError("current_password", "is needed to set a new password")
    async with uow:
        account = await uow.accounts.get(cmd.account_id)
        account.change_details(
            name=account.name if isinstance(cmd.name, msgspec.UnsetType) else cmd.name,
            shipping_address=_unless_unset(cmd.shipping_address, account.shipping_address),
            billing_address=_unless_unset(cmd.billing_address, account.billing_address),
        )
        if not isinstance(cmd.communications, msgspec.UnsetType):
            account.choose_communications(cmd.communications)
        if new_password is not None and current_password is not None:
            await _check_current_password(account, current_password, cmd.client, hasher, throttle)
            password_hash = await hasher.hash(new_password)
            now = clock.now()
            account.change_password(password_hash, now)
            # Before the commit: if the revocation cannot be recorded, nothing changes; if the
            # commit fails, the other devices were signed out for nothing, which is harmless.
            await revocations.revoke_others(account.id, cmd.token_id, issued_until=now)
        event_ids = await uow.commit()
    return AccountChanged(account, event_ids)


async def _check_current_password(
    account: Account, password: str, client: str, hasher: PasswordHasher, throttle: LoginThrottle
) -> None:
    """A stolen token must not become a way to guess the password: same throttle as sign-in."""
    if wait := await throttle.admit(account.email, client):
        raise RateLimitedError("Too many wrong passwords: try again later.", wait)
    if not await hasher.verify(account.password_hash, password):
        raise DomainValidationError("current_password", "is not the current password")
    await throttle.forgive(account.email, client)


def _unless_unset(
    value: Address | msgspec.UnsetType | None, current: Address | None
) -> Address | None:
    return current if isinstance(value, msgspec.UnsetType) else value


@command
async def add_payment_method(
    cmd: AddPaymentMethod, uow: UnitOfWork, clock: Clock
) -> PaymentMethodSaved:
    """Save a card by the gateway's token. Anything that looks like a card number is refused
    (422) before it reaches storage, and no error quotes it."""
    method = PaymentMethod(
        id=uuid.uuid4(),
        brand=cmd.brand,
        last4=cmd.last4,
        exp_month=cmd.exp_month,
        exp_year=cmd.exp_year,
        token=cmd.token,
    )
    async with uow:
        account = await uow.accounts.get(cmd.account_id)
        account.add_payment_method(method, clock.now())
        event_ids = await uow.commit()
    return PaymentMethodSaved(method, event_ids)


@command
async def remove_payment_method(cmd: RemovePaymentMethod, uow: UnitOfWork) -> AccountChanged:
    async with uow:
        account = await uow.accounts.get(cmd.account_id)
        account.remove_payment_method(cmd.payment_method_id)
        event_ids = await uow.commit()
    return AccountChanged(account, event_ids)
