"""The caller's own account as they see it, read from the write side (ADR 0003).

Views never hold the password hash or a gateway token.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

import msgspec

from commerce.domain.account import Account, Communications, PaymentMethod
from commerce.domain.values import Address


class PaymentMethodSummary(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @classmethod
    def of(cls, method: PaymentMethod) -> PaymentMethodSummary:
        return cls(
            id=method.id,
            brand=method.brand,
            last4=method.last4,
            exp_month=method.exp_month,
            exp_year=method.exp_year,
        )


class AccountProfile(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    email: str
    name: str
    roles: list[str]
    shipping_address: Address | None
    billing_address: Address | None
    payment_methods: list[PaymentMethodSummary]
    # "all", or "essential": order emails only, no back-in-stock or other non-essential ones.
    communications: Communications

    @classmethod
    def of(cls, account: Account) -> AccountProfile:
        """The profile of an account a command has just changed."""
        return cls(
            id=account.id,
            email=account.email,
            name=account.name,
            roles=sorted(account.roles),
            shipping_address=account.shipping_address,
            billing_address=account.billing_address,
            payment_methods=[PaymentMethodSummary.of(m) for m in account.payment_methods],
            communications=account.communications,
        )


class AccountProfiles(Protocol):
    async def get(self, account_id: UUID) -> AccountProfile:
        """The account as committed, consistent right after any command on it. Raise
        `NotFoundError` when there is no such account."""
        ...
