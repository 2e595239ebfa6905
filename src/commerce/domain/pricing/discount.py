"""How much a sale or a promo code takes off a price: a percentage or a fixed amount.

Rounding: a percentage of a price in minor units is rounded half up to the minor unit, in the
shopper's favour (15 % off 999 is 149.85, so 150 comes off). A saving never exceeds the price
it is taken from, so nothing is ever priced below zero.
"""

from __future__ import annotations

import msgspec

from commerce.domain.errors import DomainValidationError
from commerce.domain.values import Money

MAX_PERCENT = 100


class Discount(msgspec.Struct, frozen=True, kw_only=True):
    """Exactly one of `percent_off` (a whole percentage, 1-100) and `amount_off` is set."""

    percent_off: int | None = None
    amount_off: Money | None = None

    def check(self, currency: str) -> None:
        percent_off, amount_off = self.percent_off, self.amount_off
        if (percent_off is None) == (amount_off is None):
            raise DomainValidationError("percent_off", "give either percent_off or amount_off")
        if percent_off is not None and not 1 <= percent_off <= MAX_PERCENT:
            raise DomainValidationError("percent_off", f"must be between 1 and {MAX_PERCENT}")
        if amount_off is not None:
            if amount_off.currency != currency:
                raise DomainValidationError("amount_off.currency", f"the store sells in {currency}")
            if amount_off.amount <= 0:
                raise DomainValidationError("amount_off.amount", "must be positive")

    def saving_on(self, price: int) -> int:
        """What comes off `price` (minor units, not negative): between 0 and `price`."""
        if self.percent_off is not None:
            saving = (price * self.percent_off + 50) // 100  # half up, integers only
        else:
            assert self.amount_off is not None
            saving = self.amount_off.amount
        return min(saving, price)
