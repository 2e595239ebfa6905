"""The `products` read model's document, built by pure functions (no Elasticsearch here).

A document combines several sources: the product's catalogue events (versioned by the
product's `aggregate_version`) and the stock of each of its SKUs (versioned per SKU). Its
`state` keeps every value together with the version that set it, so that merging is
order-free: a value is replaced only by one from a newer version, flags that only ever turn
on (archived, retired) stay on, and merging the same change twice changes nothing. Events
(`projections.products.projector`) and write-side snapshots (for a rebuild, here) both become
partial states merged into the document, so duplicates, late old events and a rebuild racing
the worker all converge on the same document. The searchable fields are derived from `state`
on every write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from commerce.domain.catalog import Product, ProductDetails, Variant, category_paths
from commerce.domain.inventory import StockItem
from commerce.domain.pricing import Discount, ProductRef, SalePrice, best_sale_price
from commerce.domain.rating import ProductRating
from commerce.domain.values import Money
from projections.products.mapping import SUGGESTION_INPUT_LENGTH
from projections.products.sale_state import SaleRecord, SaleState
from projections.text import fold_keyword, index_text, suggestion_key, words

_MAX_SUGGESTION_WORDS = 8
# A product as the write side holds it (its rating None before any review): the rebuild's and
# the verification's input.
CatalogEntry = tuple[Product, Sequence[StockItem], ProductRating | None]
# How much the rating weighs in relevance (docs/adr/0017): the average, pulled towards a
# neutral NEUTRAL_STARS by PRIOR_REVIEWS imagined reviews (so one 5-star review is not a
# 5-star product), scales a match's score by at most RATING_WEIGHT either way.
NEUTRAL_STARS = 3.0
PRIOR_REVIEWS = 5
RATING_WEIGHT = 0.05


class VariantState(msgspec.Struct, kw_only=True):
    """`order` sorts variants as the write side does: (version that added it, position)."""

    sku: str
    order: tuple[int, int] | None = None
    attributes: dict[str, str] | None = None
    price: Money | None = None
    price_version: int = 0
    retired: bool = False

    @property
    def known(self) -> bool:
        """Added by ProductCreated or VariantAdded, not only repriced or retired so far."""
        return self.order is not None and self.attributes is not None and self.price is not None


class StockState(msgspec.Struct, kw_only=True):
    available: int
    sold: int = 0  # units of this SKU shipped so far
    version: int


class RatingState(msgspec.Struct, kw_only=True):
    """The product's rating as `ProductRatingChanged` (or the write side) gave it, with the
    rating's own version: a register, replaced only by a newer version."""

    average: float = 0.0
    count: int = 0
    version: int = 0

    @property
    def rank_boost(self) -> float:
        """What a full-text match's score is multiplied by: 1 without reviews, between
        1 - RATING_WEIGHT (1 star) and 1 + RATING_WEIGHT (5 stars) as reviews add up."""
        shrunk = (NEUTRAL_STARS * PRIOR_REVIEWS + self.average * self.count) / (
            PRIOR_REVIEWS + self.count
        )
        return round(1 + RATING_WEIGHT * (shrunk - NEUTRAL_STARS) / (5 - NEUTRAL_STARS), 6)


def rating_state(rating: ProductRating) -> RatingState:
    return RatingState(average=rating.average, count=rating.count, version=rating.version)


class ProductState(msgspec.Struct, kw_only=True):
    product_id: str
    catalog_version: int = 0
    details: ProductDetails | None = None
    details_version: int = 0
    created_at: datetime | None = None
    archived: bool = False
    variants: dict[str, VariantState] = {}
    stock: dict[str, StockState] = {}
    rating: RatingState = msgspec.field(default_factory=RatingState)
    sales: dict[str, SaleState] = {}

    @property
    def has_catalog(self) -> bool:
        return self.details is not None and self.created_at is not None

    @property
    def visible(self) -> bool:
        """Served by the detail endpoint: catalogued and not archived."""
        return self.has_catalog and not self.archived

    @property
    def listed(self) -> bool:
        """Offered by search and suggestions: visible, with a variant one can buy."""
        return self.visible and bool(self.live_variants())

    @property
    def sold_count(self) -> int:
        """Units shipped, over every SKU (each SKU's figure is version-guarded on its own)."""
        return sum(level.sold for level in self.stock.values())

    def live_variants(self) -> list[VariantState]:
        live = [v for v in self.variants.values() if v.known and not v.retired]
        return sorted(live, key=lambda v: (v.order or (0, 0), v.sku))

    def ref(self, details: ProductDetails) -> ProductRef:
        return ProductRef(
            product_id=UUID(self.product_id), category=details.category, brand=details.brand
        )

    def discounts(self) -> list[tuple[UUID, Discount]]:
        """The sales in force that pick this product (the best price wins: `best_sale_price`)."""
        details = self.details
        if details is None:
            return []
        return [
            (UUID(sale_id), sale.discount)
            for sale_id, sale in sorted(self.sales.items())
            if sale.active and sale.picks(self.ref(details))
        ]


# Merging ------------------------------------------------------------------------------------


def merge(current: ProductState, change: ProductState) -> ProductState:
    """The state holding the newest of each value of both; commutative and idempotent."""
    details, details_version = current.details, current.details_version
    if change.details is not None and change.details_version > details_version:
        details, details_version = change.details, change.details_version
    variants = dict(current.variants)
    for sku, variant in change.variants.items():
        variants[sku] = _merge_variant(variants[sku], variant) if sku in variants else variant
    stock = dict(current.stock)
    for sku, level in change.stock.items():
        if sku not in stock or level.version > stock[sku].version:
            stock[sku] = level
    sales = dict(current.sales)
    for sale_id, sale in change.sales.items():
        if sale_id not in sales or sale.version > sales[sale_id].version:
            sales[sale_id] = sale
    return ProductState(
        product_id=current.product_id,
        catalog_version=max(current.catalog_version, change.catalog_version),
        details=details,
        details_version=details_version,
        created_at=current.created_at or change.created_at,
        archived=current.archived or change.archived,
        variants=variants,
        stock=stock,
        rating=change.rating if change.rating.version > current.rating.version else current.rating,
        sales=sales,
    )


def _merge_variant(current: VariantState, change: VariantState) -> VariantState:
    orders = [order for order in (current.order, change.order) if order is not None]
    newer = change if change.price_version > current.price_version else current
    return VariantState(
        sku=current.sku,
        order=min(orders) if orders else None,
        attributes=current.attributes if current.attributes is not None else change.attributes,
        price=newer.price if newer.price is not None else (current.price or change.price),
        price_version=max(current.price_version, change.price_version),
        retired=current.retired or change.retired,
    )


# Write-side snapshots -> states -------------------------------------------------------------


def variant_state(variant: Variant, version: int, position: int) -> VariantState:
    """A variant as `version` brought it, at `position` among the variants it came with."""
    return VariantState(
        sku=variant.sku,
        order=(version, position),
        attributes=dict(variant.attributes),
        price=variant.price,
        price_version=version,
        retired=variant.retired,
    )


def state_from_snapshot(
    product: Product,
    stock: Iterable[StockItem],
    sales: Iterable[SaleRecord] = (),
    rating: ProductRating | None = None,
) -> ProductState:
    """The state the write side holds now; every catalogue value carries its version.
    `sales`: those the scheduler has started and not ended (whichever products they pick);
    `rating`: the product's, None before its first review."""
    version = product.version
    details = product.details
    ref = ProductRef(product_id=product.id, category=details.category, brand=details.brand)
    variants = {}
    for position, variant in enumerate(product.variants):
        state = variant_state(variant, version, position)
        # Position 0.. in write-side order, before anything a later VariantAdded brings.
        state.order = (0, position)
        variants[variant.sku] = state
    return ProductState(
        product_id=str(product.id),
        catalog_version=version,
        details=product.details,
        details_version=version,
        created_at=product.created_at,
        archived=product.archived,
        variants=variants,
        stock={
            item.sku: StockState(available=item.available, sold=item.sold, version=item.version)
            for item in stock
        },
        sales={
            record.sale_id: record.state_for(str(product.id))
            for record in sales
            if record.active and record.picks(ref)
        },
        rating=rating_state(rating) if rating is not None else RatingState(),
    )


def decode_state(raw: Any) -> ProductState:
    return msgspec.convert(raw, ProductState)


# State -> document --------------------------------------------------------------------------


def tiebreak(product_id: str) -> int:
    """Where a product goes among products of equal sort values: the low 64 bits of its id
    (random in every id version we hand out), as a signed `long`. A number, because sorting on
    the `id` keyword reads an ordinal for every match (docs/adr/0005)."""
    return int.from_bytes(UUID(product_id).bytes[8:], "big", signed=True)


def attribute_key(name: str, value: str) -> str:
    return f"{fold_keyword(name)}={fold_keyword(value)}"


def _in_stock(state: ProductState, sku: str) -> bool:
    level = state.stock.get(sku)
    return level is not None and level.available > 0


def _suggest_inputs(details: ProductDetails) -> list[str]:
    name_words = words(details.name)[:_MAX_SUGGESTION_WORDS]
    inputs = [" ".join(name_words[i:]) for i in range(len(name_words))]
    brand = suggestion_key(details.brand)
    if brand:
        inputs += [brand, f"{brand} {' '.join(name_words)}".strip()]
    unique = dict.fromkeys(text[:SUGGESTION_INPUT_LENGTH].strip() for text in inputs)
    return [text for text in unique if text]


def document(state: ProductState) -> dict[str, Any]:
    """The Elasticsearch source of a product: its shown and filtered fields, the words search
    and suggestions match, and `state` itself (stored, not indexed)."""
    return shown_fields(state) | search_words(state)


def shown_fields(state: ProductState) -> dict[str, Any]:
    """The document but its search words: what a product page, a listing and the filters
    show, and `state`. Cheap next to the words (no stemming)."""
    live = state.live_variants()
    priced = live or [v for v in state.variants.values() if v.known]
    cheapest = min((v.price for v in priced if v.price), key=lambda m: m.amount, default=None)
    discounts = state.discounts()
    sale_prices = {v.sku: best_sale_price(v.price, discounts) for v in priced if v.price}
    paid = [
        sale.unit_price.amount if (sale := sale_prices[v.sku]) else v.price.amount
        for v in priced
        if v.price
    ]
    lowest = min(paid, default=None)
    on_sale = any(sale_prices.values())
    details = state.details
    attributes = dict(details.attributes) if details else {}
    attribute_keys = {attribute_key(k, v) for k, v in attributes.items()}
    for variant in live:
        attribute_keys.update(attribute_key(k, v) for k, v in (variant.attributes or {}).items())
    return {
        "id": state.product_id,
        "tiebreak": tiebreak(state.product_id),
        "visible": state.visible,
        "listed": state.listed,
        "archived": state.archived,
        "brand": details.brand if details else None,
        "brand_key": fold_keyword(details.brand) if details else None,
        "category": details.category if details else None,
        "category_paths": category_paths(details.category) if details else [],
        "attrs": sorted(attribute_keys),
        "price": cheapest.amount if cheapest else None,
        # The lowest price a shopper pays, sale prices included: what price filters, sorts and
        # the price facet use.
        "effective_price": lowest,
        "sale_price": lowest if on_sale else None,
        "on_sale": on_sale,
        "sale_ids": sorted(sale_id for sale_id, sale in state.sales.items() if sale.active),
        "in_stock": any(_in_stock(state, v.sku) for v in live),
        "rating": {"average": state.rating.average, "count": state.rating.count},
        "rank_boost": state.rating.rank_boost,
        "sold_count": state.sold_count,
        "created_at": msgspec.to_builtins(state.created_at),
        "display": {
            "name": details.name if details else None,
            "description": details.description if details else None,
            "images": list(details.images) if details else [],
            "attributes": attributes,
            "currency": cheapest.currency if cheapest else None,
            "variants": [
                {
                    "sku": v.sku,
                    "price": msgspec.to_builtins(v.price),
                    "sale_price": _unit_price(sale_prices.get(v.sku)),
                    "attributes": v.attributes or {},
                    "in_stock": _in_stock(state, v.sku),
                }
                for v in live
            ],
        },
        "state": msgspec.to_builtins(state),
    }


def _unit_price(sale: SalePrice | None) -> Any:
    return msgspec.to_builtins(sale.unit_price) if sale is not None else None


def search_words(state: ProductState) -> dict[str, Any]:
    """The normalised words full-text search matches, and the suggestion inputs."""
    details = state.details
    words_of: dict[str, Any] = {
        "search": {
            "name": index_text(details.name) if details else "",
            "brand": index_text(details.brand) if details else "",
            "category": index_text(details.category) if details else "",
            "description": index_text(details.description) if details else "",
        }
    }
    if state.listed and details is not None:
        # Left out for archived and partial documents, so suggestions never offer them.
        words_of["suggest"] = {
            "input": _suggest_inputs(details),
            "weight": 1 + min(state.sold_count, 1_000_000),
        }
    return words_of
