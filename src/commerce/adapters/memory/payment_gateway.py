"""In-memory twin of the sandbox payment gateway: the same test tokens, the same ledger rules.

Each call runs to completion without yielding to the event loop, so concurrent calls are
serialised exactly as the sandbox's row locks and primary keys serialise them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from commerce.adapters.payments.ledger import (
    TIMEOUT_TOKEN,
    GatewayLedger,
    LedgerCharge,
    LedgerRefund,
    check_charge_amount,
    decide,
    new_refund_id,
    refund_refusal,
)
from commerce.domain.values import Money
from commerce.ports.payment_gateway import ChargeOutcome, GatewayTimeoutError, RefundOutcome


class InMemoryPaymentGateway:
    def __init__(self) -> None:
        self._charges: dict[str, LedgerCharge] = {}
        self._refunds: dict[str, LedgerRefund] = {}
        self._requests_to_lose = 0

    def time_out_next(self, calls: int = 1) -> None:
        """Make the next `calls` charges or refunds time out before reaching the gateway: they
        record nothing, so `lookup` answers None and a retry with the same key acts once."""
        self._requests_to_lose += calls

    async def charge(self, key: str, amount: Money, token: str) -> ChargeOutcome:
        check_charge_amount(amount)
        self._maybe_lose_the_request()
        recorded = self._charges.get(key)
        if recorded is not None:
            return recorded.outcome
        outcome = decide(token)
        self._charges[key] = LedgerCharge(
            key=key,
            token=token,
            amount=amount,
            succeeded=outcome.succeeded,
            charge_id=outcome.charge_id,
            failure_reason=outcome.failure_reason,
            created_at=datetime.now(UTC),
        )
        if token == TIMEOUT_TOKEN:
            raise GatewayTimeoutError(f"charge {key}: no answer from the gateway")
        return outcome

    async def lookup(self, key: str) -> ChargeOutcome | None:
        recorded = self._charges.get(key)
        return None if recorded is None else recorded.outcome

    async def refund(self, key: str, charge_key: str, amount: Money) -> RefundOutcome:
        self._maybe_lose_the_request()
        recorded = self._refunds.get(key)
        if recorded is not None:
            return recorded.outcome
        refunded = sum(
            r.amount.amount for r in self._refunds.values() if r.charge_key == charge_key
        )
        refusal = refund_refusal(self._charges.get(charge_key), refunded, amount)
        if refusal is not None:
            raise refusal
        refund = LedgerRefund(
            key=key,
            refund_id=new_refund_id(),
            charge_key=charge_key,
            amount=amount,
            created_at=datetime.now(UTC),
        )
        self._refunds[key] = refund
        return refund.outcome

    async def ledger(self) -> GatewayLedger:
        return GatewayLedger(
            charges=tuple(self._charges.values()), refunds=tuple(self._refunds.values())
        )

    def _maybe_lose_the_request(self) -> None:
        if self._requests_to_lose > 0:
            self._requests_to_lose -= 1
            raise GatewayTimeoutError("the request never reached the gateway")
