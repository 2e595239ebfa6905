"""The `products` projector: what each event brings to a product's document (one small function
per event type, each a partial state), and the writes that merge a batch's partial states into
the documents behind the alias.

Writers and readers only ever name the alias (`projections.products.mapping`), so a rebuild
(`projections.products.rebuild`) swaps it atomically while searches and the worker go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from elasticsearch import Elasticsearch

from commerce.domain.catalog import (
    ProductArchived,
    ProductCreated,
    ProductDetailsChanged,
    VariantAdded,
    VariantRepriced,
    VariantRetired,
)
from commerce.domain.event_types import EVENTS
from commerce.domain.events import DomainEvent, EventEnvelope, UnknownEventError
from commerce.domain.inventory import StockLevelChanged
from commerce.domain.rating import ProductRatingChanged
from projections.indices import IndexedProjection, ensure_index
from projections.products.document import (
    ProductState,
    RatingState,
    StockState,
    VariantState,
    merge,
    variant_state,
)
from projections.products.mapping import MAPPING, NAME
from projections.products.sales import (
    MAPPING as SALES_MAPPING,
)
from projections.products.sales import (
    apply_sale_events,
    apply_sales_in_force,
    records_alias,
)
from projections.products.writes import write_changes

# Events -> partial states -------------------------------------------------------------------


def _product_created(event: ProductCreated, version: int) -> ProductState:
    return ProductState(
        product_id=str(event.product_id),
        catalog_version=version,
        details=event.details,
        details_version=version,
        created_at=event.created_at,
        variants={v.sku: variant_state(v, version, i) for i, v in enumerate(event.variants)},
    )


def _details_changed(event: ProductDetailsChanged, version: int) -> ProductState:
    return ProductState(
        product_id=str(event.product_id),
        catalog_version=version,
        details=event.details,
        details_version=version,
    )


def _variant_added(event: VariantAdded, version: int) -> ProductState:
    variant = variant_state(event.variant, version, 0)
    return ProductState(
        product_id=str(event.product_id), catalog_version=version, variants={variant.sku: variant}
    )


def _variant_repriced(event: VariantRepriced, version: int) -> ProductState:
    variant = VariantState(sku=event.sku, price=event.price, price_version=version)
    return ProductState(
        product_id=str(event.product_id), catalog_version=version, variants={event.sku: variant}
    )


def _variant_retired(event: VariantRetired, version: int) -> ProductState:
    variant = VariantState(sku=event.sku, retired=True)
    return ProductState(
        product_id=str(event.product_id), catalog_version=version, variants={event.sku: variant}
    )


def _product_archived(event: ProductArchived, version: int) -> ProductState:
    return ProductState(product_id=str(event.product_id), catalog_version=version, archived=True)


def _stock_level_changed(event: StockLevelChanged, version: int) -> ProductState:
    return ProductState(
        product_id=str(event.product_id),
        stock={event.sku: StockState(available=event.available, sold=event.sold, version=version)},
    )


def _rating_changed(event: ProductRatingChanged, version: int) -> ProductState:
    rating = RatingState(average=event.average, count=event.count, version=version)
    return ProductState(product_id=str(event.product_id), rating=rating)


_HANDLERS: dict[type[DomainEvent], Callable[[Any, int], ProductState]] = {
    ProductCreated: _product_created,
    ProductDetailsChanged: _details_changed,
    VariantAdded: _variant_added,
    VariantRepriced: _variant_repriced,
    VariantRetired: _variant_retired,
    ProductArchived: _product_archived,
    StockLevelChanged: _stock_level_changed,
    ProductRatingChanged: _rating_changed,
}
HANDLED_TYPES = frozenset(event_type.type_name() for event_type in _HANDLERS)


def change_from_event(envelope: EventEnvelope) -> ProductState | None:
    """The partial state one event brings, or None for an event this model ignores."""
    if envelope.type not in HANDLED_TYPES:
        return None
    try:
        event = EVENTS.decode(envelope)
    except UnknownEventError:
        return None
    return _HANDLERS[type(event)](event, envelope.aggregate_version)


def changes_by_product(envelopes: Iterable[EventEnvelope]) -> dict[str, ProductState]:
    """A batch folded into one partial state per product (merging is order-free)."""
    changes: dict[str, ProductState] = {}
    for envelope in envelopes:
        change = change_from_event(envelope)
        if change is None:
            continue
        known = changes.get(change.product_id)
        changes[change.product_id] = change if known is None else merge(known, change)
    return changes


# The projection -----------------------------------------------------------------------------


class ProductsProjection(IndexedProjection):
    """Products, with the sales the scheduler has started on them (`projections.products.sales`,
    whose records live in an index of their own beside the products')."""

    name = NAME
    mapping = MAPPING
    remedy = "run `commerce read-models rebuild products`"

    def __init__(self, index_prefix: str, **settings: Any) -> None:
        super().__init__(index_prefix, **settings)
        self.sales_alias = records_alias(index_prefix)

    def ensure_index(self, client: Elasticsearch) -> None:
        super().ensure_index(client)
        ensure_index(
            client,
            self.sales_alias,
            SALES_MAPPING,
            replicas=self.replicas,
            refresh_interval=self.refresh_interval,
            remedy=self.remedy,
        )

    def project(self, client: Elasticsearch, events: Sequence[EventEnvelope]) -> bool:
        changes = changes_by_product(events)
        if changes:
            write_changes(client, self.alias, changes, self.max_attempts)
            apply_sales_in_force(client, self.alias, self.sales_alias, list(changes.values()))
        sales = apply_sale_events(client, self.alias, self.sales_alias, events)
        return bool(changes) or sales
