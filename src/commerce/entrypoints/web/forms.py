"""Form posts decoded into the same msgspec Structs the JSON API uses, with messages a
shopper can read: `FormError` names the field and says what to change."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from commerce.domain.errors import DomainValidationError
from commerce.entrypoints.http.problems import field_error

T = TypeVar("T")

# msgspec's messages, as a person would say them.
_READABLE = (
    (re.compile(r"^Object missing required field `(?P<field>\w+)`"), "is required"),
    (re.compile(r"^Expected `str` of length >= (?P<n>\d+)"), "must be at least {n} characters"),
    (re.compile(r"^Expected `str` of length <= (?P<n>\d+)"), "must be at most {n} characters"),
    (re.compile(r"^Expected `int` >= (?P<n>-?\d+)"), "must be at least {n}"),
    (re.compile(r"^Expected `int` <= (?P<n>-?\d+)"), "must be at most {n}"),
    (re.compile(r"^Expected `int`"), "must be a whole number"),
    (re.compile(r"^Expected `str` matching regex"), "holds characters that are not allowed here"),
    (re.compile(r"^Invalid enum value"), "is not one of the choices"),
    (re.compile(r"^Invalid UUID"), "is not valid"),
    (re.compile(r"^Invalid RFC3339 encoded date$"), "must be a date such as 2026-12-31"),
)
_AMOUNT = re.compile(r"^(\d{1,9})(?:[.,](\d{1,2}))?$")
_PATTERN_MESSAGES = {"country": "must be a two-letter country code, such as DE or FR"}


def fields(form: Mapping[str, Any]) -> dict[str, str]:
    """The text fields of a posted form (the last value of a repeated one)."""
    return {name: value for name, value in form.items() if isinstance(value, str)}


def decode(form: Mapping[str, str], kind: type[T]) -> T:
    """The form's non-empty fields as `kind` (an empty optional field is left out). Raise
    `DomainValidationError` naming the first field that is wrong, readably."""
    fields = {name: value.strip() for name, value in form.items() if value.strip()}
    try:
        return msgspec.convert(fields, kind, strict=False)
    except msgspec.ValidationError as error:
        raise readable(str(error)) from None


def readable(message: str) -> DomainValidationError:
    found = field_error("body", message)
    field, text = found.field, found.message
    for pattern, wording in _READABLE:
        if match := pattern.match(text):
            groups = match.groupdict()
            field = groups.pop("field", field)
            text = wording.format(**groups)
            if "regex" in found.message and field in _PATTERN_MESSAGES:
                text = _PATTERN_MESSAGES[field]
            break
    return DomainValidationError(field, text)


def minor_units(form: Mapping[str, str], name: str) -> int | None:
    """An amount typed in the store's currency (`12.50`, `12,5`, `12`) in minor units, as the
    API takes it; None when left empty."""
    typed = form.get(name, "").strip()
    if not typed:
        return None
    found = _AMOUNT.match(typed)
    if found is None:
        raise DomainValidationError(name, "must be an amount such as 12.50")
    whole, cents = found.groups()
    return int(whole) * 100 + int((cents or "0").ljust(2, "0"))
