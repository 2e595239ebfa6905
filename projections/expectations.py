"""What the write side says each read model must hold: the rules `commerce read-models verify`
checks, one `ModelCheck` per read model the worker keeps.

A write-side record is *missing* when the read model lacks a document it must have; it is
*divergent* when its document exists but a fact below differs; a document is *unexpected* when
the write side has no record of that id. The expected document is built from the write side's
current state by the read model's own builder (the one a rebuild uses), and the facts are read
from both documents' sources the same way, so there is one idea of what a document holds.

products: one document per product row, archived ones included (a tombstone with
  `archived: true`, never a delete: a replayed old event could resurrect a deleted one).
  - version: the catalogue version the document was built up to, against the product row's;
  - stock versions: each SKU's stock version in the document, against its stock row's;
  - name, brand, category, archived, listed, price, in stock, rating, and the variants (SKU,
    price, attributes, in stock): what search, browse and the product page show.
orders: one document per order row.
  - version and status: the indexed fields that order lists filter on;
  - total, the breakdown it was sold at (lines with paid and list unit prices, the promo code,
    its discount), payments (id, amount, status, refunded), shipment (carrier, tracking number,
    delivered at) and cancel reason, from `detail`, which every order view shows.
reviews: one document per review row, hidden ones included (a flag, never a delete).
  - version, product, hidden, stars, and the text shown (author, title, body).
carts: one document per cart row with lines. An emptied cart may have a document with no
  lines or none at all: the customer sees an empty cart either way.
  - version and lines (SKU, product, quantity).
promotions: one document per promo code row and per sale row (deleted sales included, as
  tombstones with `listed: false`).
  - version, and whether staff see it (listed);
  - created at, name, discount, starts and ends at, the products, categories and brands a
    sale names, a code's limits, redeemed and disabled, a sale's ended early and deleted:
    what staff's lists and reads show, and what their status is computed from.

The versions catch a document that lags (an event never applied); the shown fields catch one
with the right versions but wrong values. A document *newer* than the write side is divergent
too: only something other than the projections could have written it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from commerce.domain.cart import Cart
from commerce.domain.order import Order
from commerce.domain.pricing import PromoCode, Sale
from commerce.domain.review import Review
from projections.carts import document as cart_document
from projections.carts import mapping as carts
from projections.orders import document as order_document
from projections.orders import mapping as orders
from projections.products import document as product_document
from projections.products import mapping as products
from projections.products.document import CatalogEntry
from projections.promotions import document as promotion_document
from projections.promotions import mapping as promotions
from projections.reviews import document as review_document
from projections.reviews import mapping as reviews
from projections.verification import Expected, Fact, ModelCheck, facts_of


def _pick(*keys: str) -> Callable[[Any], Any]:
    """The named keys of a mapping (or of each mapping in a list); None stays None."""

    def picked(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {key: value.get(key) for key in keys}
        if isinstance(value, list):
            return [picked(item) for item in value]
        return value

    return picked


def _amount_or_zero(money: Any) -> Any:
    """An order's code discount in minor units: documents written before codes existed hold
    null where the write side holds zero, and both mean no discount."""
    return money.get("amount") if isinstance(money, Mapping) else 0


def _stock_versions(stock: Any) -> dict[str, Any]:
    levels = stock if isinstance(stock, Mapping) else {}
    return {sku: level.get("version") for sku, level in levels.items()}


PRODUCT_FACTS = (
    Fact("version", "state.catalog_version"),
    Fact("stock versions", "state.stock", _stock_versions),
    Fact("name", "display.name"),
    Fact("brand", "brand"),
    Fact("category", "category"),
    Fact("archived", "archived"),
    Fact("listed", "listed"),
    Fact("price", "price"),
    Fact("in stock", "in_stock"),
    Fact("rating", "rating"),
    # Not their sale prices: the check reads the catalogue and the stock, not the sales.
    Fact("variants", "display.variants", _pick("sku", "price", "attributes", "in_stock")),
)

ORDER_FACTS = (
    Fact("version", "version"),
    Fact("status", "status"),
    Fact("total", "detail.total"),
    # The breakdown it was sold at: what the customer's order page and dashboard show.
    Fact("lines", "detail.lines", _pick("sku", "quantity", "unit_price", "list_unit_price")),
    Fact("promo code", "detail.promo_code"),
    Fact("discount", "detail.discount", _amount_or_zero),
    Fact("payments", "detail.payments", _pick("id", "amount", "status", "refunded")),
    Fact("shipment", "detail.shipment", _pick("carrier", "tracking_number", "delivered_at")),
    Fact("cancel reason", "detail.cancel_reason"),
)

CART_FACTS = (Fact("version", "version"), Fact("lines", "lines"))

REVIEW_FACTS = (
    Fact("version", "version"),
    Fact("product", "product_id"),
    Fact("hidden", "hidden"),
    Fact("stars", "stars"),
    Fact("text", "display"),
)


def _sorted(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


PROMOTION_FACTS = (
    Fact("version", "version"),
    Fact("listed", "listed"),
    Fact("created at", "created_at"),
    Fact("starts at", "starts_at"),
    Fact("ends at", "ends_at"),
    Fact("name", "state.terms.name"),
    Fact("discount", "state.terms.discount"),
    # A set: its order in a document says nothing.
    Fact("product ids", "state.terms.applies_to.product_ids", _sorted),
    Fact("categories", "state.terms.applies_to.categories"),
    Fact("brands", "state.terms.applies_to.brands"),
    Fact("min subtotal", "state.terms.min_subtotal"),
    Fact("max redemptions", "state.terms.max_redemptions"),
    Fact("per customer limit", "state.terms.per_customer_limit"),
    Fact("redeemed", "state.redeemed"),
    Fact("disabled", "state.disabled"),
    Fact("ended early", "state.ended_early"),
    Fact("deleted", "state.deleted"),
)


def _expected_product(entry: CatalogEntry) -> Expected:
    product, stock, rating = entry
    state = product_document.state_from_snapshot(product, stock, rating=rating)
    source = product_document.shown_fields(state)  # every fact is there, and no costly word
    return Expected(str(product.id), facts_of(source, PRODUCT_FACTS))


def _expected_order(order: Order) -> Expected:
    source = order_document.document(order_document.state_from_order(order))
    return Expected(str(order.id), facts_of(source, ORDER_FACTS))


def _expected_cart(cart: Cart) -> Expected:
    snapshot = cart_document.CartSnapshot(
        customer_id=str(cart.customer_id), version=cart.version, lines=cart.lines
    )
    source = cart_document.document(snapshot)
    return Expected(snapshot.customer_id, facts_of(source, CART_FACTS), required=not cart.is_empty)


def _expected_review(review: Review) -> Expected:
    source = review_document.document(review_document.snapshot_of(review))
    return Expected(str(review.id), facts_of(source, REVIEW_FACTS))


def _expected_promotion(record: Sale | PromoCode) -> Expected:
    state = promotion_document.state_of(record)
    source = promotion_document.document(state)
    return Expected(promotion_document.doc_id(state), facts_of(source, PROMOTION_FACTS))


PRODUCTS: ModelCheck[CatalogEntry] = ModelCheck(
    products.NAME, products.alias_name, "id", PRODUCT_FACTS, _expected_product
)
ORDERS: ModelCheck[Order] = ModelCheck(
    orders.NAME, orders.alias_name, "id", ORDER_FACTS, _expected_order
)
CARTS: ModelCheck[Cart] = ModelCheck(
    carts.NAME, carts.alias_name, "customer_id", CART_FACTS, _expected_cart
)

REVIEWS: ModelCheck[Review] = ModelCheck(
    reviews.NAME, reviews.alias_name, "id", REVIEW_FACTS, _expected_review
)

PROMOTIONS: ModelCheck[Sale | PromoCode] = ModelCheck(
    promotions.NAME, promotions.alias_name, "id", PROMOTION_FACTS, _expected_promotion
)

CHECKS: Mapping[str, ModelCheck[Any]] = {
    check.name: check for check in (PRODUCTS, ORDERS, CARTS, REVIEWS, PROMOTIONS)
}
MODELS: Sequence[str] = tuple(CHECKS)
