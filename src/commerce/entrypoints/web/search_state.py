"""The search page's state lives in its URL, so back works and a link is shareable.

The parameters are the JSON API's (`q`, `brand`, `category`, `attr.<name>`, `in_stock`,
`on_sale`, `rating_min`, `sort`, `cursor`, checked by the same functions), except the price: a
shopper picks one of the facet's ranges, `price=<from>-<to>` in minor units (`to` exclusive, as
the facet counts it; either end may be left out). `rating_min` is one of the rating facet's
whole-star thresholds, the choices the page offers, where the API takes any number from 1 to 5.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from commerce.domain.errors import DomainValidationError
from commerce.entrypoints.http.products import MAX_TEXT, attribute_filters, filter_values
from commerce.ports.product_search import (
    RATING_THRESHOLDS,
    SORTS,
    PriceRange,
    ProductQuery,
    Sort,
)

PAGE_SIZE = 24
_PRICE = re.compile(r"^(\d{0,12})-(\d{0,12})$")
_YES = "1"


def search_query(params: Iterable[tuple[str, str]]) -> ProductQuery:
    """The query a search page's URL asks for. Raise `DomainValidationError` for a parameter
    that is not one the page would write."""
    pairs = list(params)
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        values.setdefault(key, []).append(value)

    def one(name: str) -> str | None:
        found = [value for value in values.get(name, []) if value]
        return found[-1] if found else None

    q = one("q")
    if q is not None and len(q) > MAX_TEXT:
        raise DomainValidationError("q", f"must be at most {MAX_TEXT} characters")
    price_min, price_max = _price(one("price"))
    cursor = one("cursor")
    if cursor is not None and len(cursor) > 1000:
        raise DomainValidationError("cursor", "is not one this page gave")
    return ProductQuery(
        q=q.strip() if q and q.strip() else None,
        categories=filter_values("category", values.get("category")),
        brands=filter_values("brand", values.get("brand")),
        price_min=price_min,
        price_max=price_max,
        in_stock=True if one("in_stock") == _YES else None,
        on_sale=True if one("on_sale") == _YES else None,
        rating_min=_rating(one("rating_min")),
        attributes=attribute_filters(pairs),
        sort=_sort(one("sort")),
        limit=PAGE_SIZE,
        cursor=cursor,
    )


def search_params(query: ProductQuery, *, cursor: str | None = None) -> str:
    """The URL query string of `query` (with `cursor` for the next page): what
    `search_query` reads back."""
    pairs: list[tuple[str, str]] = []
    if query.q:
        pairs.append(("q", query.q))
    pairs += [("category", value) for value in query.categories]
    pairs += [("brand", value) for value in query.brands]
    pairs += [(f"attr.{name}", value) for name, value in query.attributes]
    if query.price_min is not None or query.price_max is not None:
        pairs.append(("price", price_value(query.price_min, query.price_max)))
    pairs += [(name, _YES) for name in ("in_stock", "on_sale") if getattr(query, name)]
    if query.rating_min is not None:
        pairs.append(("rating_min", f"{query.rating_min:g}"))
    if query.sort:
        pairs.append(("sort", query.sort))
    if cursor:
        pairs.append(("cursor", cursor))
    return urlencode(pairs)


def price_value(price_min: int | None, price_max: int | None) -> str:
    low = "" if price_min is None else str(price_min)
    high = "" if price_max is None else str(price_max + 1)
    return f"{low}-{high}"


def range_value(bucket: PriceRange) -> str:
    """The `price` parameter that picks a range of the price facet."""
    return f"{bucket.from_ or ''}-{'' if bucket.to is None else bucket.to}"


def _price(value: str | None) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    found = _PRICE.match(value)
    if found is None or not any(found.groups()):
        raise DomainValidationError("price", "pick one of the price ranges")
    low, high = (int(part) if part else None for part in found.groups())
    if high is not None and high < 1:
        raise DomainValidationError("price", "pick one of the price ranges")
    price_max = None if high is None else high - 1  # the range's end is exclusive
    if low is not None and price_max is not None and low > price_max:
        raise DomainValidationError("price", "the lowest price is above the highest")
    return low, price_max


def _rating(value: str | None) -> int | None:
    if value is None:
        return None
    for stars in RATING_THRESHOLDS:
        if str(stars) == value:
            return stars
    raise DomainValidationError("rating_min", "pick one of the ratings")


def _sort(value: str | None) -> Sort | None:
    if value is None:
        return None
    for sort in SORTS:
        if sort == value:
            return sort
    raise DomainValidationError("sort", f"must be one of {', '.join(SORTS)}")
