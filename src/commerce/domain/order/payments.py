"""An order's payments and their refunds. Both are two-step: recorded `pending` before the
gateway is called (never while a row is locked) and settled after, the gateway's idempotency
key being the payment's (or refund's) id."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from commerce.domain.values import Money


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


CAPTURED = frozenset(
    {PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
)


class Refund(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    amount: Money
    succeeded: bool
    created_at: datetime


class Payment(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    amount: Money
    # The gateway's token for the card: needed to retry the charge, never shown or published.
    token: str
    status: PaymentStatus
    failure_reason: str | None = None
    charge_id: str | None = None
    refunds: tuple[Refund, ...] = ()
    created_at: datetime

    @property
    def captured(self) -> int:
        return self.amount.amount if self.status in CAPTURED else 0

    @property
    def refunded(self) -> Money:
        return Money(
            sum(r.amount.amount for r in self.refunds if r.succeeded), self.amount.currency
        )

    @property
    def refundable(self) -> int:
        """Captured and not refunded nor being refunded."""
        return self.captured - sum(r.amount.amount for r in self.refunds)

    def __repr__(self) -> str:
        return f"Payment(id={self.id}, amount={self.amount}, status={self.status})"
