"""Request body parts that several controllers' bodies share."""

from __future__ import annotations

from typing import Annotated

import msgspec

from commerce.domain.values import Money


class MoneyBody(msgspec.Struct, frozen=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=100_000_000_000)]
    currency: Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]

    def to_money(self) -> Money:
        return Money(self.amount, self.currency)
