"""Value objects shared by every aggregate."""

from __future__ import annotations

import re
from typing import Annotated

import msgspec

from commerce.domain.errors import DomainValidationError

SKU_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
Sku = Annotated[str, msgspec.Meta(pattern=SKU_PATTERN)]
CountryCode = Annotated[str, msgspec.Meta(pattern="^[A-Z]{2}$")]
_SKU = re.compile(SKU_PATTERN)


def check_sku(value: str) -> str:
    if not _SKU.match(value):
        raise DomainValidationError("sku", "must be 1-64 letters, digits, '.', '_' or '-'")
    return value


class Money(msgspec.Struct, frozen=True):
    """An amount in minor units (cents) of one currency."""

    amount: int
    currency: str

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    def _same(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise DomainValidationError(
                "currency", f"cannot mix {self.currency} and {other.currency}"
            )
        return other


class Address(msgspec.Struct, frozen=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    line1: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    line2: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    city: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    postal_code: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    country: CountryCode
