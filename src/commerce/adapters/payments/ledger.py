"""The sandbox's rules and ledger entries, shared by the sandbox gateway and its in-memory twin
so that the two cannot drift. Not part of the port: tests and the bench read the ledger."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from commerce.domain.values import Money
from commerce.ports.payment_gateway import ChargeOutcome, GatewayRefusedError, RefundOutcome

SUCCEEDING_TOKENS = frozenset({"tok_visa", "tok_timeout"})
DECLINING_TOKENS = {"tok_declined": "card_declined", "tok_insufficient_funds": "insufficient_funds"}
# Charged, but the answer is lost on the way back: the caller sees a timeout.
TIMEOUT_TOKEN = "tok_timeout"  # noqa: S105 - a public test token, not a secret


def decide(token: str) -> ChargeOutcome:
    """The outcome of a first charge with `token`."""
    if token in SUCCEEDING_TOKENS:
        return ChargeOutcome(
            succeeded=True, charge_id=f"ch_{uuid.uuid4().hex}", failure_reason=None
        )
    return ChargeOutcome(
        succeeded=False, charge_id=None, failure_reason=DECLINING_TOKENS.get(token, "invalid_token")
    )


def new_refund_id() -> str:
    return f"re_{uuid.uuid4().hex}"


def check_charge_amount(amount: Money) -> None:
    if amount.amount <= 0:
        raise ValueError(f"a charge must be positive, not {amount.amount}")


class LedgerCharge(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    token: str
    amount: Money
    succeeded: bool
    charge_id: str | None
    failure_reason: str | None
    created_at: datetime

    @property
    def outcome(self) -> ChargeOutcome:
        return ChargeOutcome(
            succeeded=self.succeeded, charge_id=self.charge_id, failure_reason=self.failure_reason
        )


class LedgerRefund(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    refund_id: str
    charge_key: str
    amount: Money
    created_at: datetime

    @property
    def outcome(self) -> RefundOutcome:
        return RefundOutcome(refund_id=self.refund_id, amount=self.amount)


def refund_refusal(
    charge: LedgerCharge | None, refunded: int, amount: Money
) -> GatewayRefusedError | None:
    """Why a new refund of `amount` must be refused, given the charge and what it already
    refunded (minor units); None when it may go ahead."""
    if amount.amount <= 0:
        return GatewayRefusedError("invalid_amount", f"a refund must be positive: {amount.amount}")
    if charge is None or not charge.succeeded:
        return GatewayRefusedError("not_captured", "no succeeded charge with this key")
    if amount.currency != charge.amount.currency:
        return GatewayRefusedError(
            "currency_mismatch", f"the charge is in {charge.amount.currency}"
        )
    if refunded + amount.amount > charge.amount.amount:
        return GatewayRefusedError(
            "exceeds_captured",
            f"captured {charge.amount.amount}, refunded {refunded}, asked {amount.amount}",
        )
    return None


class GatewayLedger(msgspec.Struct, frozen=True, kw_only=True):
    """Every charge and refund the gateway recorded, oldest first."""

    charges: tuple[LedgerCharge, ...]
    refunds: tuple[LedgerRefund, ...]

    def captured(self, key: str) -> int:
        """Minor units captured by the charges with `key` (one at most, unless a bug)."""
        return sum(c.amount.amount for c in self.charges if c.key == key and c.succeeded)

    def refunded(self, charge_key: str) -> int:
        """Minor units refunded from the charge made with `charge_key`."""
        return sum(r.amount.amount for r in self.refunds if r.charge_key == charge_key)
