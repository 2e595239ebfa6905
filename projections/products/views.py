"""The `products` read model's views: what a shopper sees of a document's source (a summary, the
product page, a suggestion), and its highlights."""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from commerce.domain.values import Money
from commerce.ports.product_search import (
    ProductSummary,
    ProductView,
    Rating,
    Suggestion,
    VariantView,
)
from projections.fuzzy import fuzzy_equal
from projections.text import tokens

SNIPPET_CHARS = 160


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


# The fields whose matched words a hit shows.
HIGHLIGHTED = ("name", "description")


def matched_positions(
    groups: Sequence[tuple[str, ...]], search: Mapping[str, str]
) -> dict[str, set[int]]:
    """Which words of each highlighted field a query word matches, exactly or within its typos
    (positions into the field's normalised words, one per word of the original text). Worked
    out here rather than by Elasticsearch's highlighter, which expands every fuzzy word again
    for every hit (docs/adr/0005)."""
    terms = {term for alternatives in groups for alt in alternatives for term in alt.split()}
    return {
        field: {
            i
            for i, word in enumerate(search[field].split())
            if any(fuzzy_equal(term, word) for term in terms)
        }
        for field in HIGHLIGHTED
    }


def highlights(source: Mapping[str, Any], groups: Sequence[tuple[str, ...]]) -> dict[str, str]:
    """The highlighted fields of a document for a query's words (`query_terms`)."""
    display = source["display"]
    found = {}
    for field, positions in matched_positions(groups, source["search"]).items():
        rendered = render_highlight(display[field] or "", positions, field == "description")
        if rendered:
            found[field] = rendered
    return found


# Views from a document ----------------------------------------------------------------------


def _money(amount: int | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount, currency)


def _money_of(value: dict[str, Any] | None) -> Money | None:
    return None if value is None else Money(value["amount"], value["currency"])


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
                sale_price=_money_of(v.get("sale_price")),
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
        version=source["state"]["catalog_version"],
    )


STOCK_FIELDS = ["visible", "state.stock"]  # what `stock_from_source` reads


def stock_from_source(source: Mapping[str, Any]) -> dict[str, int] | None:
    """`ProductSearch.stock_levels` from a document's `visible` and `state.stock`."""
    if not source.get("visible"):
        return None
    return {sku: level["available"] for sku, level in source["state"]["stock"].items()}


def suggestion_from_source(source: dict[str, Any]) -> Suggestion:
    display = source["display"]
    images = display["images"]
    return Suggestion(
        id=UUID(source["id"]),
        name=display["name"],
        brand=source["brand"],
        image=images[0] if images else None,
    )
