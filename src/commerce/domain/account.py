"""Accounts: who may sign in (email, password hash, roles), where to ship and bill, and the
payment methods saved as gateway tokens.

The password hash and the gateway tokens stay inside the aggregate: no event carries them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar, Literal, get_args
from uuid import UUID

import msgspec

from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import ConflictError, DomainValidationError, NotFoundError
from commerce.domain.events import DomainEvent
from commerce.domain.values import Address, control_characters_problem

StaffRole = Literal["operator", "stock_operator", "shipping_operator", "admin"]
STAFF_ROLES: frozenset[str] = frozenset(get_args(StaffRole))
ROLES = STAFF_ROLES | {"customer"}
# Which emails a customer wants: every one, or only the essential ones (about their orders).
Communications = Literal["all", "essential"]

MIN_PASSWORD_LENGTH = 10
# Long enough for any passphrase; short enough that nobody makes us hash a megabyte.
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 200

# ASCII only (the WHATWG form of an address, with a dot in the domain): lower-casing ASCII is
# the same in Python and PostgreSQL, so the database can check that emails are stored lowered.
EMAIL_PATTERN = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_EMAIL = re.compile(EMAIL_PATTERN)
# Printable (see PRINTABLE_PATTERN) with at least one character that is not a space.
NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
# 13 to 19 digits, single spaces or dashes allowed between them, not part of a longer number.
_CARD_NUMBER = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
# The same, standing alone in a text: not digits inside an identifier (a UUID, a message id).
_CARD_NUMBER_ALONE = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_LAST4 = re.compile(r"[0-9]{4}")
CARD_NUMBER_MESSAGE = "looks like a card number: send the payment gateway's token instead"


def canonical_email(email: str) -> str:
    """The form emails are stored and compared in: trimmed and lower-cased."""
    return email.strip().lower()


def check_email(email: str) -> str:
    canonical = canonical_email(email)
    if len(canonical) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(canonical):
        raise DomainValidationError("email", "is not a valid email address")
    return canonical


def check_password(password: str, field: str = "password") -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainValidationError(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainValidationError(field, f"must be at most {MAX_PASSWORD_LENGTH} characters")
    return password


def check_staff_roles(roles: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(roles)
    if not chosen or not chosen <= STAFF_ROLES:
        raise DomainValidationError(
            "roles", f"give one or more of {', '.join(sorted(STAFF_ROLES))}"
        )
    return chosen


def looks_like_card_number(text: str) -> bool:
    return _CARD_NUMBER.search(text) is not None


def mask_card_numbers(text: str, mask: str) -> str:
    """`text` with every number in it that looks like a card number replaced by `mask`."""
    return _CARD_NUMBER_ALONE.sub(mask, text)


def find_card_number(document: Any) -> str | None:
    """The path (`token`, `items[0].note`) of the first value in a decoded JSON document, keys
    included, that looks like a card number; `None` when there is none. The value itself is
    never returned, so a caller cannot echo it by mistake. Iterative: any depth is safe."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            if any(looks_like_card_number(str(key)) for key in value):
                return path or "body"
            children = [(f"{path}.{key}" if path else str(key), v) for key, v in value.items()]
            pending.extend(reversed(children))
        elif isinstance(value, list):
            pending.extend(reversed([(f"{path}[{i}]", item) for i, item in enumerate(value)]))
        elif (
            isinstance(value, str | int)
            and not isinstance(value, bool)
            and looks_like_card_number(str(value))
        ):
            return path or "body"
    return None


class PaymentMethod(msgspec.Struct, frozen=True, kw_only=True):
    """A card saved at the payment gateway: `token` is the gateway's reference to it, which
    only the payment adapter ever reads."""

    id: UUID
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    token: str

    def __repr__(self) -> str:
        return f"PaymentMethod(id={self.id}, brand={self.brand!r}, last4={self.last4!r})"


# Events -------------------------------------------------------------------------------------


class AccountRegistered(DomainEvent, frozen=True, kw_only=True):
    account_id: UUID
    email: str
    name: str
    roles: list[str]
    shipping_address: Address | None
    billing_address: Address | None
    registered_at: datetime


class AccountDetailsChanged(DomainEvent, frozen=True, kw_only=True):
    """Carries every editable detail, so a consumer needs no earlier event to be right."""

    account_id: UUID
    name: str
    shipping_address: Address | None
    billing_address: Address | None


class PasswordChanged(DomainEvent, frozen=True, kw_only=True):
    account_id: UUID
    changed_at: datetime


class CommunicationsChosen(DomainEvent, frozen=True, kw_only=True):
    account_id: UUID
    communications: Communications


class PaymentMethodAdded(DomainEvent, frozen=True, kw_only=True):
    account_id: UUID
    payment_method_id: UUID
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class PaymentMethodRemoved(DomainEvent, frozen=True, kw_only=True):
    account_id: UUID
    payment_method_id: UUID


ACCOUNT_EVENTS = (
    AccountRegistered,
    AccountDetailsChanged,
    PasswordChanged,
    CommunicationsChosen,
    PaymentMethodAdded,
    PaymentMethodRemoved,
)


# The aggregate ------------------------------------------------------------------------------


class DuplicateEmailError(ConflictError):
    code = "email_taken"


class Account(Aggregate):
    aggregate_type: ClassVar[str] = "account"

    def __init__(
        self,
        *,
        account_id: UUID,
        email: str,
        name: str,
        password_hash: str,
        roles: frozenset[str],
        created_at: datetime,
        shipping_address: Address | None = None,
        billing_address: Address | None = None,
        payment_methods: list[PaymentMethod] | None = None,
        communications: Communications = "all",
        version: int = 0,
    ) -> None:
        super().__init__(version)
        self.id = account_id
        self.email = email
        self.name = name
        self.password_hash = password_hash
        self.roles = roles
        self.created_at = created_at
        self.shipping_address = shipping_address
        self.billing_address = billing_address
        self.payment_methods = list(payment_methods or [])
        self.communications: Communications = communications

    @property
    def aggregate_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"Account(id={self.id}, email={self.email!r}, roles={sorted(self.roles)})"

    @classmethod
    def register(
        cls,
        *,
        account_id: UUID,
        email: str,
        name: str,
        password_hash: str,
        roles: frozenset[str],
        now: datetime,
        shipping_address: Address | None = None,
        billing_address: Address | None = None,
    ) -> Account:
        """`password_hash` is already hashed: the plain password never reaches the aggregate
        (check it with `check_password` before hashing)."""
        email = check_email(email)
        name = _check_name(name)
        if not roles or not roles <= ROLES:
            raise DomainValidationError("roles", f"each role must be one of {sorted(ROLES)}")
        account = cls(
            account_id=account_id,
            email=email,
            name=name,
            password_hash=password_hash,
            roles=roles,
            created_at=now,
            shipping_address=shipping_address,
            billing_address=billing_address,
        )
        account._record(
            AccountRegistered(
                account_id=account_id,
                email=email,
                name=name,
                roles=sorted(roles),
                shipping_address=shipping_address,
                billing_address=billing_address,
                registered_at=now,
            )
        )
        return account

    def change_details(
        self, *, name: str, shipping_address: Address | None, billing_address: Address | None
    ) -> None:
        name = _check_name(name)
        before = (self.name, self.shipping_address, self.billing_address)
        if (name, shipping_address, billing_address) != before:
            self.name = name
            self.shipping_address = shipping_address
            self.billing_address = billing_address
            self._record(
                AccountDetailsChanged(
                    account_id=self.id,
                    name=name,
                    shipping_address=shipping_address,
                    billing_address=billing_address,
                )
            )

    def choose_communications(self, communications: Communications) -> None:
        if communications != self.communications:
            self.communications = communications
            self._record(CommunicationsChosen(account_id=self.id, communications=communications))

    @property
    def wants_non_essential_emails(self) -> bool:
        return self.communications == "all"

    def change_password(self, password_hash: str, now: datetime) -> None:
        self.password_hash = password_hash
        self._record(PasswordChanged(account_id=self.id, changed_at=now))

    def add_payment_method(self, method: PaymentMethod, now: datetime) -> None:
        _check_payment_method(method, now)
        if any(existing.id == method.id for existing in self.payment_methods):
            raise ConflictError(f"payment method {method.id} is already saved")
        self.payment_methods.append(method)
        self._record(
            PaymentMethodAdded(
                account_id=self.id,
                payment_method_id=method.id,
                brand=method.brand,
                last4=method.last4,
                exp_month=method.exp_month,
                exp_year=method.exp_year,
            )
        )

    def remove_payment_method(self, payment_method_id: UUID) -> None:
        method = self.payment_method(payment_method_id)
        self.payment_methods.remove(method)
        self._record(PaymentMethodRemoved(account_id=self.id, payment_method_id=method.id))

    def payment_method(self, payment_method_id: UUID) -> PaymentMethod:
        for method in self.payment_methods:
            if method.id == payment_method_id:
                return method
        raise NotFoundError(f"no payment method {payment_method_id} in account {self.id}")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainValidationError("name", "must not be blank")
    _check_printable("name", name)
    if len(name) > MAX_NAME_LENGTH:
        raise DomainValidationError("name", f"must be at most {MAX_NAME_LENGTH} characters")
    return name


def _check_payment_method(method: PaymentMethod, now: datetime) -> None:
    # First, so that no other message can ever quote a card number back.
    for field, value in (("brand", method.brand), ("token", method.token)):
        if looks_like_card_number(value):
            raise DomainValidationError(field, CARD_NUMBER_MESSAGE)
    _check_printable("brand", method.brand)
    _check_printable("token", method.token)
    if not method.brand.strip() or len(method.brand) > 40:
        raise DomainValidationError("brand", "must be 1-40 characters")
    if not method.token.strip() or len(method.token) > 255:
        raise DomainValidationError("token", "must be 1-255 characters")
    if not _LAST4.fullmatch(method.last4):
        raise DomainValidationError("last4", "must be the last 4 digits of the card")
    if not 1 <= method.exp_month <= 12:
        raise DomainValidationError("exp_month", "must be 1-12")
    if (method.exp_year, method.exp_month) < (now.year, now.month):
        raise DomainValidationError("exp_year", "the card has expired")
    if method.exp_year > now.year + 50:
        raise DomainValidationError("exp_year", "is too far in the future")


def _check_printable(field: str, value: str) -> None:
    if (problem := control_characters_problem(value)) is not None:
        raise DomainValidationError(field, problem)
