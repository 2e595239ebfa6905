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

    def formatted(self) -> str:
        """For people: `12.50 EUR`."""
        return f"{self.amount / 100:.2f} {self.currency}"

    def _same(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise DomainValidationError(
                "currency", f"cannot mix {self.currency} and {other.currency}"
            )
        return other


# Text people type: no control characters (PostgreSQL cannot even store NUL).
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
# Free text (a description, a password) may also hold tabs and line breaks.
MULTILINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
# Matched whole: a `$` in a search, as in a msgspec pattern, also passes one trailing newline.
_PRINTABLE = re.compile(PRINTABLE_PATTERN)
_MULTILINE = re.compile(MULTILINE_PATTERN)


def control_characters_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` is not text a person typed, or `None` when it is."""
    if multiline:
        if _MULTILINE.fullmatch(text) is None:
            return "must not contain control characters other than tabs and line breaks"
    elif _PRINTABLE.fullmatch(text) is None:
        return "must not contain control characters"
    return None


def _line(min_length: int, max_length: int) -> msgspec.Meta:
    return msgspec.Meta(min_length=min_length, max_length=max_length, pattern=PRINTABLE_PATTERN)


class Address(msgspec.Struct, frozen=True, kw_only=True):
    name: Annotated[str, _line(1, 200)]
    line1: Annotated[str, _line(1, 200)]
    line2: Annotated[str, _line(0, 200)] | None = None
    city: Annotated[str, _line(1, 100)]
    postal_code: Annotated[str, _line(1, 20)]
    country: CountryCode
