"""A promo code: a discount on a cart's subtotal (after sale prices), for a time, for a number
of redemptions in all and per customer.

A code is its own id: case is ignored (`summer10` is `SUMMER10`) and a code, once created, is
never reused, even disabled. Redemptions are counted on the code, so every checkout using it
changes this one aggregate: its version check lets only one of two racing checkouts take the
last redemption. How often a customer has used the code is counted outside (one row per
redemption) and passed in. A cancelled order gives its redemption back; its caller does that
once per order (as it releases a reservation once).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import ConflictError, DomainValidationError
from commerce.domain.events import DomainEvent
from commerce.domain.pricing.discount import Discount
from commerce.domain.pricing.rejection import CodeRejection, PromoCodeRejectedError
from commerce.domain.pricing.window import check_window
from commerce.domain.values import Money

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{2,31}$"
_CODE = re.compile(CODE_PATTERN)


def normalize_code(text: str) -> str:
    """The code as stored and looked up, whatever case the shopper typed it in."""
    return text.strip().upper()


class PromoTerms(msgspec.Struct, frozen=True, kw_only=True):
    """`None` means no limit (minimum, redemptions in all, per customer)."""

    discount: Discount
    min_subtotal: Money | None = None
    max_redemptions: int | None = None
    per_customer_limit: int | None = None
    starts_at: datetime
    ends_at: datetime


class PromoCodeEvent(DomainEvent, frozen=True, kw_only=True):
    code: str
    at: datetime


class PromoCodeCreated(PromoCodeEvent, frozen=True, kw_only=True):
    terms: PromoTerms


class PromoCodeDisabled(PromoCodeEvent, frozen=True, kw_only=True):
    pass


class PromoCodeRedeemed(PromoCodeEvent, frozen=True, kw_only=True):
    order_id: UUID
    customer_id: UUID
    redeemed: int  # redemptions counted after this one


class PromoCodeRedemptionReturned(PromoCodeEvent, frozen=True, kw_only=True):
    order_id: UUID
    customer_id: UUID
    redeemed: int


class CodeTakenError(ConflictError):
    """A code, once created, is never created again (even disabled)."""

    code = "promo_code_taken"


PROMO_CODE_EVENTS = (
    PromoCodeCreated,
    PromoCodeDisabled,
    PromoCodeRedeemed,
    PromoCodeRedemptionReturned,
)


class PromoCode(Aggregate):
    aggregate_type: ClassVar[str] = "promo_code"

    def __init__(
        self,
        *,
        code: str,
        terms: PromoTerms,
        created_at: datetime,
        redeemed: int = 0,
        disabled: bool = False,
        version: int = 0,
    ) -> None:
        super().__init__(version)
        self.code = code
        self.terms = terms
        self.created_at = created_at
        self.redeemed = redeemed
        self.disabled = disabled

    @property
    def aggregate_id(self) -> str:
        return self.code

    @classmethod
    def create(cls, *, code: str, terms: PromoTerms, currency: str, now: datetime) -> PromoCode:
        code = normalize_code(code)
        if not _CODE.match(code):
            raise DomainValidationError(
                "code", "must be 3-32 letters, digits, '_' or '-', starting with a letter or digit"
            )
        terms.discount.check(currency)
        _check_limits(terms, currency)
        check_window(terms.starts_at, terms.ends_at, now)
        promo = cls(code=code, terms=terms, created_at=now)
        promo._record(PromoCodeCreated(code=code, at=now, terms=terms))
        return promo

    def rejection(
        self, subtotal: Money, customer_redemptions: int, now: datetime
    ) -> CodeRejection | None:
        """Why the code cannot be used now on `subtotal` by a customer who has used it
        `customer_redemptions` times; None when it can."""
        if (rejection := self._unavailable(now)) is not None:
            return rejection
        limit = self.terms.per_customer_limit
        if limit is not None and customer_redemptions >= limit:
            return CodeRejection.per_customer_limit(self.code, limit)
        minimum = self.terms.min_subtotal
        if minimum is not None and subtotal.amount < minimum.amount:
            return CodeRejection.below_minimum(self.code, minimum, subtotal)
        return None

    def status(self, now: datetime) -> str:
        """`active`, or why nobody can use it now: `disabled`, `not_started`, `expired`,
        `exhausted`."""
        rejection = self._unavailable(now)
        return "active" if rejection is None else rejection.reason.value

    def _unavailable(self, now: datetime) -> CodeRejection | None:
        """Why nobody can use the code now, whatever the cart."""
        terms = self.terms
        if self.disabled:
            return CodeRejection.disabled(self.code)
        if now < terms.starts_at:
            return CodeRejection.not_started(self.code, terms.starts_at)
        if now >= terms.ends_at:
            return CodeRejection.expired(self.code, terms.ends_at)
        if terms.max_redemptions is not None and self.redeemed >= terms.max_redemptions:
            return CodeRejection.exhausted(self.code)
        return None

    def discount_on(self, subtotal: Money) -> Money:
        return Money(self.terms.discount.saving_on(subtotal.amount), subtotal.currency)

    def redeem(
        self,
        *,
        order_id: UUID,
        customer_id: UUID,
        subtotal: Money,
        customer_redemptions: int,
        now: datetime,
    ) -> None:
        """Count one use by an order being placed; the code must apply to it right now."""
        if (rejection := self.rejection(subtotal, customer_redemptions, now)) is not None:
            raise PromoCodeRejectedError(rejection)
        self.redeemed += 1
        self._record(
            PromoCodeRedeemed(
                code=self.code,
                at=now,
                order_id=order_id,
                customer_id=customer_id,
                redeemed=self.redeemed,
            )
        )

    def give_back(self, *, order_id: UUID, customer_id: UUID, now: datetime) -> bool:
        """A cancelled order's redemption counts no more (disabled or expired codes too);
        False when there is none to give back."""
        if self.redeemed == 0:
            return False
        self.redeemed -= 1
        self._record(
            PromoCodeRedemptionReturned(
                code=self.code,
                at=now,
                order_id=order_id,
                customer_id=customer_id,
                redeemed=self.redeemed,
            )
        )
        return True

    def disable(self, now: datetime) -> bool:
        """No further use; orders that used it keep their discount. False if disabled already."""
        if self.disabled:
            return False
        self.disabled = True
        self._record(PromoCodeDisabled(code=self.code, at=now))
        return True


def _check_limits(terms: PromoTerms, currency: str) -> None:
    if (minimum := terms.min_subtotal) is not None:
        if minimum.currency != currency:
            raise DomainValidationError("min_subtotal.currency", f"the store sells in {currency}")
        if minimum.amount < 0:
            raise DomainValidationError("min_subtotal.amount", "must not be negative")
    for field, limit in (
        ("max_redemptions", terms.max_redemptions),
        ("per_customer_limit", terms.per_customer_limit),
    ):
        if limit is not None and limit < 1:
            raise DomainValidationError(field, "must be at least 1")
