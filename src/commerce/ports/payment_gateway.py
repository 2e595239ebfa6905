"""The payment gateway: charges and refunds, each made at most once per idempotency key.

A call may fail with `GatewayTimeoutError`, after which nobody knows whether the gateway acted.
The caller keeps the payment pending and asks again later, with `lookup` or by repeating the
call with the same key; neither can ever charge or refund twice.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from commerce.domain.values import Money


class ChargeOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """What the gateway decided about one charge."""

    succeeded: bool
    charge_id: str | None  # the gateway's reference, when it succeeded
    failure_reason: str | None  # "card_declined", "insufficient_funds", "invalid_token", ...


class RefundOutcome(msgspec.Struct, frozen=True, kw_only=True):
    refund_id: str  # the gateway's reference
    amount: Money


class GatewayTimeoutError(Exception):
    """The gateway did not answer in time: the outcome is unknown."""


class GatewayRefusedError(Exception):
    """The gateway refused a refund. `reason` is one of `not_captured` (no such charge, or it
    did not succeed), `exceeds_captured` (the charge's refunds would exceed its amount),
    `currency_mismatch`, `invalid_amount` (not positive)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class PaymentGateway(Protocol):
    async def charge(self, key: str, amount: Money, token: str) -> ChargeOutcome:
        """Charge `amount` to the card behind `token`, once per `key`.

        A call with a key the gateway has already seen returns that key's first outcome and
        charges nothing, whatever its amount and token. A declined card is an outcome
        (`succeeded=False`), not an error. Raise `GatewayTimeoutError` when the outcome is
        unknown, and `ValueError` for a non-positive amount (a caller's bug: nothing is sent).
        """
        ...

    async def lookup(self, key: str) -> ChargeOutcome | None:
        """The outcome of the charge made with `key`; None when the gateway never received it,
        so a new `charge` with that key is safe. May raise `GatewayTimeoutError`."""
        ...

    async def refund(self, key: str, charge_key: str, amount: Money) -> RefundOutcome:
        """Refund part or all of the succeeded charge made with `charge_key`, once per `key`.

        A call with a key the gateway has already seen returns that refund again and refunds
        nothing more, whatever its other arguments. Raise `GatewayRefusedError` when the refunds
        of the charge would exceed its amount, or when it does not exist or did not succeed;
        `GatewayTimeoutError` when the outcome is unknown.
        """
        ...
