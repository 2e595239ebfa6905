"""Search and browse over the `products` read model, and the views it answers with.

The views are shaped exactly as the HTTP contract's (API.md, "Search and browse"), so the
controllers return them as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

import msgspec

from commerce.domain.values import Money

Sort = Literal["relevance", "price_asc", "price_desc", "newest", "rating", "best_selling"]
SORTS: tuple[Sort, ...] = (
    "relevance",
    "price_asc",
    "price_desc",
    "newest",
    "rating",
    "best_selling",
)
# The rating facet's buckets, whole stars on average: "4 stars and up" first.
RATING_THRESHOLDS: tuple[int, ...] = (4, 3, 2, 1)
DEFAULT_LIMIT = 24
MAX_LIMIT = 100
SUGGESTION_LIMIT = 8


class InvalidCursorError(ValueError):
    """The cursor is not one this search handed out, or belongs to another sort."""


class ProductQuery(msgspec.Struct, frozen=True, kw_only=True):
    """One search or browse request. Values of one filter are alternatives (any brand of
    `brands`); different filters all apply. `attributes` pairs are (name, value); values of
    one name are alternatives, names all apply."""

    q: str | None = None
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool | None = None
    on_sale: bool | None = None
    rating_min: float | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    sort: Sort | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


class Rating(msgspec.Struct, frozen=True, kw_only=True):
    average: float
    count: int


class VariantView(msgspec.Struct, frozen=True, kw_only=True):
    """`sale_price`: the variant's price while a sale started by the scheduler lowers it."""

    sku: str
    price: Money
    attributes: dict[str, str]
    in_stock: bool
    sale_price: Money | None = None


class ProductSummary(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A search result. `highlight` (only with `q`) maps `name` and `description` to the
    matched words wrapped in `<em>`, the rest of the text HTML-escaped."""

    id: UUID
    name: str
    brand: str
    category: str
    image: str | None
    price: Money
    sale_price: Money | None
    on_sale: bool
    in_stock: bool
    rating: Rating
    variants: list[VariantView]
    highlight: dict[str, str] | None = None


class ProductView(msgspec.Struct, frozen=True, kw_only=True):
    """A product's detail page: the summary's fields plus its description and images."""

    id: UUID
    name: str
    brand: str
    category: str
    image: str | None
    price: Money
    sale_price: Money | None
    on_sale: bool
    in_stock: bool
    rating: Rating
    variants: list[VariantView]
    description: str
    images: list[str]
    attributes: dict[str, str]
    created_at: datetime
    # The product's version (its last catalogue event) that this view shows: an edit made from
    # it says so (`If-Match`), and is refused if the product has changed since.
    version: int


class FacetValue(msgspec.Struct, frozen=True, kw_only=True):
    value: str
    count: int


class PriceRange(msgspec.Struct, frozen=True, kw_only=True):
    """Effective prices in minor units, `from` inclusive, `to` exclusive (null: no bound)."""

    from_: int = msgspec.field(name="from")
    to: int | None
    count: int


class RatingBucket(msgspec.Struct, frozen=True, kw_only=True):
    """Products rated `value` stars on average or more, one of `RATING_THRESHOLDS`."""

    value: int
    count: int


class Facets(msgspec.Struct, frozen=True, kw_only=True):
    """Disjunctive: each facet counts with every filter applied except its own."""

    brand: list[FacetValue]
    category: list[FacetValue]
    price: list[PriceRange]
    rating: list[RatingBucket]
    attributes: dict[str, list[FacetValue]]


class Total(msgspec.Struct, frozen=True, kw_only=True):
    """`relation` is `gte` when counting stopped at the search's limit."""

    value: int
    relation: Literal["eq", "gte"]


class SearchResult(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ProductSummary]
    total: Total
    next_cursor: str | None
    facets: Facets


class Suggestion(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    brand: str
    image: str | None


class ProductSearch(Protocol):
    """Reads the `products` read model. Archived products, and products whose catalogue
    events have not arrived yet, are never returned."""

    async def search(self, query: ProductQuery) -> SearchResult:
        """Raise `InvalidCursorError` for a cursor this search did not hand out.

        With `q`, which products match is the same in every implementation: each word of the
        query (or its stem, a synonym, or a spelling within Elasticsearch's `AUTO` edit
        distance) is found in the name, brand, category or description. The `relevance` order
        guarantees only this much, alike everywhere: a product matching in its name ranks above
        one matching the same words only in its description; an exact word ranks above the same
        word misspelt in the same field; of products matching alike, the better rated ranks first
        (the rating moves a score by at most 5 %: `rank_boost`, docs/adr/0017); equal scores
        fall back to the product's `tiebreak`.
        Beyond that the order is the implementation's own (Elasticsearch weighs BM25 term
        frequency, field length and rarity; the in-memory twin only which field matched and
        whether exactly), so callers must not rely on it."""
        ...

    async def get(self, product_id: UUID) -> ProductView | None: ...

    async def stock_levels(self, product_id: UUID) -> dict[str, int] | None:
        """Units available (on hand less reserved) of each SKU of a product, as the read model
        last heard of them: for staff, never shown to shoppers (who see `in_stock`). A SKU
        without a stock event yet is left out; None as `get` answers None."""
        ...

    async def suggest(self, text: str) -> list[Suggestion]:
        """Up to `SUGGESTION_LIMIT` products whose name or brand starts with `text`, allowing
        a typo."""
        ...
