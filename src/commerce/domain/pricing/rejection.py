"""Why a promo code does not apply, said so a shopper can act on it."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import msgspec

from commerce.domain.errors import DomainValidationError
from commerce.domain.values import Money


class RejectionReason(StrEnum):
    UNKNOWN = "unknown"
    DISABLED = "disabled"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    PER_CUSTOMER_LIMIT = "per_customer_limit"
    BELOW_MINIMUM = "below_minimum"


class CodeRejection(msgspec.Struct, frozen=True, kw_only=True):
    """`missing` is set for `below_minimum`: how much more the subtotal needs."""

    code: str
    reason: RejectionReason
    message: str
    missing: Money | None = None

    @classmethod
    def unknown(cls, code: str) -> CodeRejection:
        return cls(code=code, reason=RejectionReason.UNKNOWN, message=f"{code} is not a valid code")

    @classmethod
    def disabled(cls, code: str) -> CodeRejection:
        message = f"{code} is no longer valid"
        return cls(code=code, reason=RejectionReason.DISABLED, message=message)

    @classmethod
    def not_started(cls, code: str, starts_at: datetime) -> CodeRejection:
        message = f"{code} can be used from {_instant(starts_at)}"
        return cls(code=code, reason=RejectionReason.NOT_STARTED, message=message)

    @classmethod
    def expired(cls, code: str, ends_at: datetime) -> CodeRejection:
        message = f"{code} expired at {_instant(ends_at)}"
        return cls(code=code, reason=RejectionReason.EXPIRED, message=message)

    @classmethod
    def exhausted(cls, code: str) -> CodeRejection:
        message = f"{code} has been used up"
        return cls(code=code, reason=RejectionReason.EXHAUSTED, message=message)

    @classmethod
    def per_customer_limit(cls, code: str, limit: int) -> CodeRejection:
        times = "once" if limit == 1 else f"{limit} times"
        message = f"you have already used {code} {times}, as often as a customer may"
        return cls(code=code, reason=RejectionReason.PER_CUSTOMER_LIMIT, message=message)

    @classmethod
    def below_minimum(cls, code: str, minimum: Money, subtotal: Money) -> CodeRejection:
        missing = minimum - subtotal
        message = (
            f"add {missing.formatted()} more to use {code}: "
            f"it needs a subtotal of {minimum.formatted()}"
        )
        return cls(
            code=code, reason=RejectionReason.BELOW_MINIMUM, message=message, missing=missing
        )


class PromoCodeRejectedError(DomainValidationError):
    """A 422 on the `code` field, with the reason."""

    def __init__(self, rejection: CodeRejection) -> None:
        super().__init__("code", rejection.message)
        self.rejection = rejection


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
