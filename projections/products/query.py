"""What the Elasticsearch product search and its in-memory twin share: how a query's filters
are normalised, the facet buckets, the cursor, highlights, and views from a document."""

from __future__ import annotations

import base64
import binascii
import html
import math
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from commerce.domain.values import Money
from commerce.ports.product_search import (
    InvalidCursorError,
    ProductQuery,
    ProductSummary,
    ProductView,
    Rating,
    Sort,
    Suggestion,
    VariantView,
)
from projections.products.document import attribute_key
from projections.text import fold_keyword, query_terms, tokens

# Effective-price buckets in minor units: [from, to).
PRICE_RANGES: tuple[tuple[int, int | None], ...] = (
    (0, 1000),
    (1000, 2500),
    (2500, 5000),
    (5000, 10000),
    (10000, 25000),
    (25000, 50000),
    (50000, None),
)
RATING_THRESHOLDS = (4, 3, 2, 1)
BRAND_FACET_SIZE = 50
CATEGORY_FACET_SIZE = 100
ATTRIBUTE_FACET_SIZE = 500
TRACK_TOTAL_HITS = 10_000
SNIPPET_CHARS = 160
_LONG = 2**63 - 1


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """A query's filters in the document's terms."""

    brands: frozenset[str]
    categories: frozenset[str]
    attributes: dict[str, frozenset[str]]  # folded name -> its `name=value` keys


def filters_of(query: ProductQuery) -> Filters:
    attributes: dict[str, set[str]] = {}
    for name, value in query.attributes:
        attributes.setdefault(fold_keyword(name), set()).add(attribute_key(name, value))
    return Filters(
        brands=frozenset(fold_keyword(brand) for brand in query.brands),
        categories=frozenset(c.strip().strip("/").lower() for c in query.categories),
        attributes={name: frozenset(keys) for name, keys in attributes.items()},
    )


def effective_sort(query: ProductQuery) -> tuple[Sort, list[tuple[str, ...]]]:
    """The sort to use and the query's terms: relevance needs words to rank by, so without
    any it orders by newest, like a browse."""
    terms = query_terms(query.q) if query.q else []
    sort = query.sort or ("relevance" if terms else "newest")
    if sort == "relevance" and not terms:
        sort = "newest"
    return sort, terms


def allowed_edits(text: str) -> int:
    """Typos forgiven in a word or a typed prefix: Elasticsearch's `fuzziness: AUTO`, measured
    on `text` (the completion suggester's own AUTO ignores the length and allows one)."""
    return 0 if len(text) < 3 else 1 if len(text) < 6 else 2


# Cursors ------------------------------------------------------------------------------------

# What each sort's `search_after` values are: the sort keys, then the product id.
_CURSOR_SHAPES: dict[Sort, tuple[type, ...]] = {
    "relevance": (float, str),
    "price_asc": (int, str),
    "price_desc": (int, str),
    "newest": (int, str),
    "rating": (float, int, str),
    "best_selling": (int, str),
}


class _Cursor(msgspec.Struct, frozen=True, array_like=True):
    sort: str
    after: list[int | float | str]


def encode_cursor(sort: Sort, after: list[Any]) -> str:
    raw = msgspec.json.encode(_Cursor(sort, after))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = msgspec.json.decode(raw, type=_Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidCursorError("not a cursor this search handed out") from None
    if decoded.sort != sort:
        raise InvalidCursorError(f"the cursor belongs to sort {decoded.sort!r}, not {sort!r}")
    shape = _CURSOR_SHAPES[sort]
    if len(decoded.after) != len(shape) or not all(
        _fits(value, kind) for value, kind in zip(decoded.after, shape, strict=True)
    ):
        raise InvalidCursorError("not a cursor this search handed out")
    return [float(v) if kind is float else v for v, kind in zip(decoded.after, shape, strict=True)]


def _fits(value: Any, kind: type) -> bool:
    if kind is str:
        return isinstance(value, str) and len(value) <= 64
    if kind is int:
        return isinstance(value, int) and -_LONG <= value <= _LONG
    return isinstance(value, int | float) and math.isfinite(value)


# Highlights ---------------------------------------------------------------------------------


def render_highlight(text: str, matched: Collection[int], snippet: bool = False) -> str | None:
    """`text` HTML-escaped with its matched words (indices into `tokens(text)`) in `<em>`;
    a snippet is cut around the first match. None when nothing matched."""
    words = tokens(text)
    chosen = [words[i] for i in sorted(matched) if 0 <= i < len(words)]
    if not chosen:
        return None
    start, end = 0, len(text)
    if snippet and len(text) > SNIPPET_CHARS:
        start = max(0, chosen[0].start - SNIPPET_CHARS // 4)
        start = next((w.start for w in words if w.start >= start), start)
        end = min(len(text), start + SNIPPET_CHARS)
    parts, position = [], start
    for word in chosen:
        if word.start < start or word.end > end:
            continue
        parts += [
            html.escape(text[position : word.start]),
            f"<em>{html.escape(text[word.start : word.end])}</em>",
        ]
        position = word.end
    parts.append(html.escape(text[position:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(parts) + suffix


def highlighted_positions(fragment: str) -> set[int]:
    """Which words Elasticsearch highlighted in a normalised field (one word per term,
    separated by spaces, tags inside the words)."""
    return {i for i, word in enumerate(fragment.split()) if "<em>" in word}


def highlights(source: dict[str, Any], matched: Mapping[str, Collection[int]]) -> dict[str, str]:
    display = source["display"]
    found = {}
    for field, positions in matched.items():
        rendered = render_highlight(display[field] or "", positions, field == "description")
        if rendered:
            found[field] = rendered
    return found


# Views from a document ----------------------------------------------------------------------


def _money(amount: int | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount, currency)


def _common(source: dict[str, Any]) -> dict[str, Any]:
    display = source["display"]
    currency = display["currency"] or ""
    images = display["images"]
    return {
        "id": UUID(source["id"]),
        "name": display["name"],
        "brand": source["brand"],
        "category": source["category"],
        "image": images[0] if images else None,
        "price": Money(source["price"] or 0, currency),
        "sale_price": _money(source["sale_price"], currency),
        "on_sale": source["on_sale"],
        "in_stock": source["in_stock"],
        "rating": Rating(average=source["rating"]["average"], count=source["rating"]["count"]),
        "variants": [
            VariantView(
                sku=v["sku"],
                price=Money(v["price"]["amount"], v["price"]["currency"]),
                attributes=v["attributes"],
                in_stock=v["in_stock"],
            )
            for v in display["variants"]
        ],
    }


def summary_from_source(
    source: dict[str, Any], highlight: dict[str, str] | None = None
) -> ProductSummary:
    return ProductSummary(**_common(source), highlight=highlight or None)


def view_from_source(source: dict[str, Any]) -> ProductView:
    display = source["display"]
    return ProductView(
        **_common(source),
        description=display["description"],
        images=display["images"],
        attributes=display["attributes"],
        created_at=datetime.fromisoformat(source["created_at"]),
    )


def suggestion_from_source(source: dict[str, Any]) -> Suggestion:
    display = source["display"]
    images = display["images"]
    return Suggestion(
        id=UUID(source["id"]),
        name=display["name"],
        brand=source["brand"],
        image=images[0] if images else None,
    )
