"""The `products` projector: what each event brings to a product's document (one small function
per event type, each a partial state), and the writes that merge a batch's partial states into
the documents behind the alias.

Writers and readers only ever name the alias (`projections.products.mapping`), so a rebuild
(`projections.products.rebuild`) swaps it atomically while searches and the worker go on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
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
from projections.indices import IndexedProjection, ProjectionWriteError
from projections.products.document import (
    ProductState,
    StockState,
    VariantState,
    decode_state,
    document,
    merge,
    variant_state,
)
from projections.products.mapping import MAPPING, NAME

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


_HANDLERS: dict[type[DomainEvent], Callable[[Any, int], ProductState]] = {
    ProductCreated: _product_created,
    ProductDetailsChanged: _details_changed,
    VariantAdded: _variant_added,
    VariantRepriced: _variant_repriced,
    VariantRetired: _variant_retired,
    ProductArchived: _product_archived,
    StockLevelChanged: _stock_level_changed,
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
    name = NAME
    mapping = MAPPING
    remedy = "run `commerce read-models rebuild products`"

    def project(self, client: Elasticsearch, events: Sequence[EventEnvelope]) -> bool:
        changes = changes_by_product(events)
        if changes:
            write_changes(client, self.alias, changes, self.max_attempts)
        return bool(changes)


# Versioned read-modify-write ----------------------------------------------------------------


def write_changes(
    client: Elasticsearch,
    index: str,
    changes: Mapping[str, ProductState],
    max_attempts: int = 8,
) -> None:
    """Merge each partial state into its document: mget, merge, then a bulk guarded by
    `if_seq_no`/`if_primary_term`. A document someone else wrote in between is read again and
    merged again; a change already contained in the document writes nothing (so a stale or
    duplicate event is a success)."""
    pending = dict(changes)
    for attempt in range(max_attempts):
        operations = _operations(client, index, pending)
        if not operations:
            return
        response = client.bulk(operations=operations, refresh=False)
        conflicts = set()
        for item in response["items"]:
            (action,) = item.values()
            if action["status"] == 409:
                conflicts.add(action["_id"])
            elif action["status"] >= 300:
                raise ProjectionWriteError(f"{index}/{action['_id']}: {action.get('error')}")
        pending = {product_id: pending[product_id] for product_id in conflicts}
        if not pending:
            return
        time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # noqa: S311 - jitter, not security
    raise ProjectionWriteError(
        f"{len(pending)} {NAME} documents kept conflicting after {max_attempts} attempts"
    )


def _operations(
    client: Elasticsearch, index: str, changes: Mapping[str, ProductState]
) -> list[dict[str, Any]]:
    found = client.mget(index=index, ids=list(changes), source=["state"])
    operations: list[dict[str, Any]] = []
    for doc in found["docs"]:
        if "error" in doc:
            raise ProjectionWriteError(f"{index}/{doc['_id']}: {doc['error']}")
        change = changes[doc["_id"]]
        if doc.get("found"):
            current = decode_state(doc["_source"]["state"])
            merged = merge(current, change)
            if merged == current:
                continue
            guard = {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]}
            operations += [{"index": {"_index": index, "_id": doc["_id"], **guard}}]
        else:
            merged = merge(ProductState(product_id=change.product_id), change)
            operations += [{"create": {"_index": index, "_id": doc["_id"]}}]
        operations.append(document(merged))
    return operations
