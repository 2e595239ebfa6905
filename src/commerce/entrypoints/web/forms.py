"""Form posts decoded into the same msgspec Structs the JSON API uses, with messages a
shopper can read: `FormError` names the field and says what to change."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

import msgspec
from litestar.response import Template

from commerce.domain.errors import DomainError, DomainValidationError
from commerce.entrypoints.http.problems import domain_problem, field_error
from commerce.entrypoints.web.rendering import page

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

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
_PATTERN_MESSAGES = {"country": "must be a two-letter country code, such as DE or FR"}


def fields(form: Mapping[str, Any]) -> dict[str, str]:
    """The text fields of a posted form (the last value of a repeated one)."""
    return {name: value for name, value in form.items() if isinstance(value, str)}


def decode(form: Mapping[str, str], kind: type[T]) -> T:
    """The form's non-empty fields as `kind` (an empty optional field is left out). Raise
    `DomainValidationError` naming the first field that is wrong, readably."""
    fields = {name: value.strip() for name, value in form.items() if value.strip()}
    return convert(fields, kind)


def convert(data: Mapping[str, Any], kind: type[T]) -> T:
    """`data` (built from a form, possibly nested) as `kind`; errors as `decode`'s."""
    try:
        return msgspec.convert(data, kind, strict=False)
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


def choices(values: list[str], kind: type[E], field: str = "status") -> list[E]:
    """The ticked boxes of a filter, each one of `kind`'s values."""
    try:
        return [kind(value) for value in values if value]
    except ValueError:
        raise DomainValidationError(field, "pick from the list") from None


def form_again(template: str, error: DomainError, **context: Any) -> Template:
    """The form, filled in again (never a password), with the problem said above it."""
    problem, _ = domain_problem(error)
    field = error.field if isinstance(error, DomainValidationError) else None
    return page(template, problem.status, error=problem.detail, bad_field=field, **context)
