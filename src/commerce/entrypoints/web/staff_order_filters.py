"""The staff's order list keeps its filters in the URL: the parameters of
`GET /v1/admin/orders` (`status`, `customer_email`, `q`, `placed_from`, `placed_to`,
`cursor`), except that the dates are days (what a date field sends), taken whole in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Annotated
from urllib.parse import urlencode

import msgspec

from commerce.domain.account import MAX_EMAIL_LENGTH
from commerce.domain.order import OrderStatus
from commerce.entrypoints.web.forms import choices, decode
from commerce.ports.order_views import OrderQuery

PAGE_SIZE = 25


class StaffOrderFilters(msgspec.Struct, frozen=True, kw_only=True):
    q: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    customer_email: Annotated[str, msgspec.Meta(max_length=MAX_EMAIL_LENGTH)] | None = None
    placed_from: date | None = None
    placed_to: date | None = None
    cursor: Annotated[str, msgspec.Meta(max_length=1000)] | None = None


def staff_order_query(params: Iterable[tuple[str, str]]) -> OrderQuery:
    """The query the list's URL asks for; `DomainValidationError` naming a parameter the
    page would not write."""
    pairs = list(params)
    single = {key: value for key, value in pairs if key in StaffOrderFilters.__struct_fields__}
    filters = decode(single, StaffOrderFilters)
    return OrderQuery(
        customer_id=None,
        statuses=choices([value for key, value in pairs if key == "status"], OrderStatus),
        q=filters.q,
        customer_email=filters.customer_email,
        placed_from=_day(filters.placed_from, time.min),
        placed_to=_day(filters.placed_to, time.max),
        limit=PAGE_SIZE,
        cursor=filters.cursor,
    )


def staff_order_params(query: OrderQuery, *, cursor: str | None = None) -> str:
    """The URL query string of `query` (with `cursor` for the next page)."""
    pairs = [("status", str(status)) for status in query.statuses]
    pairs += [
        (name, value)
        for name, value in (("q", query.q), ("customer_email", query.customer_email))
        if value
    ]
    pairs += [
        (name, moment.date().isoformat())
        for name, moment in (("placed_from", query.placed_from), ("placed_to", query.placed_to))
        if moment
    ]
    if cursor:
        pairs.append(("cursor", cursor))
    return urlencode(pairs)


def _day(day: date | None, at: time) -> datetime | None:
    return None if day is None else datetime.combine(day, at, tzinfo=UTC)
