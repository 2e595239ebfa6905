"""What staff type into a form, turned into the values of the API's request bodies: a price as
people write it, options as `colour: red, size: L`, lists one per line or comma, and times in
UTC. Each raises `DomainValidationError` naming the field, so the form says what to change."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from commerce.domain.errors import DomainValidationError

_PRICE = re.compile(r"^(?P<units>\d{1,9})(?:[.,](?P<cents>\d{1,2}))?$")
_SEPARATORS = re.compile(r"[,\n]")
_OPTION = re.compile(r"\s*([:=])\s*")


def minor_units(form: Mapping[str, str], field: str, label: str | None = None) -> int | None:
    """`12.50` as 1250; None when left empty. `label`: the field as the error names it."""
    text = form.get(field, "").strip()
    if not text:
        return None
    if not (match := _PRICE.match(text)):
        raise DomainValidationError(label or field, "must be an amount such as 12.50")
    return int(match["units"]) * 100 + int((match["cents"] or "0").ljust(2, "0"))


def money(
    form: Mapping[str, str], field: str, currency: str, label: str | None = None
) -> dict[str, Any] | None:
    """A `MoneyBody` in the shop's currency; None when left empty."""
    amount = minor_units(form, field, label)
    return None if amount is None else {"amount": amount, "currency": currency}


def options(form: Mapping[str, str], field: str, label: str | None = None) -> dict[str, str]:
    """`colour: red, size: L` (or `=`) as `{"colour": "red", "size": "L"}`."""
    found: dict[str, str] = {}
    for pair in listed(form, field):
        parts = [part.strip() for part in _OPTION.split(pair, maxsplit=1)]
        if len(parts) != 3 or not parts[0] or not parts[2]:
            raise DomainValidationError(
                label or field, "write options as name: value, such as colour: red"
            )
        found[parts[0]] = parts[2]
    return found


def lines(form: Mapping[str, str], field: str) -> list[str]:
    """The lines of a field (addresses, which may hold commas), blanks left out."""
    return [line.strip() for line in form.get(field, "").splitlines() if line.strip()]


def listed(form: Mapping[str, str], field: str) -> list[str]:
    """The items of a field, one per line or comma, blanks left out."""
    return [item.strip() for item in _SEPARATORS.split(form.get(field, "")) if item.strip()]


def instant(form: Mapping[str, str], field: str) -> str | None:
    """A `datetime-local` value (`2026-12-24T09:00`), read as UTC, in ISO 8601 with its
    zone as the API takes it; None when left empty (the Struct then says it is required)."""
    text = form.get(field, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DomainValidationError(
            field, "must be a date and time, such as 2026-12-24T09:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def present(values: Mapping[str, Any]) -> dict[str, Any]:
    """Leaves out what was not filled in, so the Struct's defaults and `required` apply."""
    return {name: value for name, value in values.items() if value not in (None, "", [], {})}


def discount(form: Mapping[str, str], currency: str) -> dict[str, Any]:
    """`percent_off` or `amount_off` of a body, from the kind ticked and the value typed."""
    if not form.get("value", "").strip():
        raise DomainValidationError("value", "is required: a percentage or an amount off")
    if form.get("kind") == "amount":
        return {"amount_off": money(form, "value", currency, "amount off")}
    return {"percent_off": form["value"].strip()}
