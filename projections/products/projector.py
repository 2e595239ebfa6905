"""The `products` read model: its index behind an alias, the worker's projection, and rebuild.

The alias `<prefix>-products` points at one index, `<prefix>-products-v<N>` or, after a
rebuild, `<prefix>-products-v<N>-<UTC timestamp>`. Writers and readers only ever name the
alias, so a rebuild swaps it atomically while searches go on.

Mapping: only what the bare server provides (standard analyser, keyword, numbers, dates,
completion). Text is normalised in Python (`projections.text`): the `search.*` fields hold one
term per word, which the standard analyser splits on spaces.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from commerce.domain.catalog import Product
from commerce.domain.events import EventEnvelope
from commerce.domain.inventory import StockItem
from projections.indices import (
    ProjectionWriteError,
    create_index,
    ensure_index,
)
from projections.products.document import (
    ProductState,
    changes_by_product,
    decode_state,
    document,
    merge,
    state_from_snapshot,
)

logger = logging.getLogger(__name__)

NAME = "products"
# Bump on a change the server cannot apply in place (a field's type); then rebuild.
MAPPING_VERSION = 1
_KEYWORD = {"type": "keyword", "ignore_above": 1024}
_TEXT = {"type": "text", "analyzer": "standard"}

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"model": NAME, "mapping_version": MAPPING_VERSION},
    "properties": {
        "id": {"type": "keyword"},
        # `listed` is what search and suggestions show; `visible` what the detail page shows.
        "visible": {"type": "boolean"},
        "listed": {"type": "boolean"},
        "archived": {"type": "boolean"},
        "brand": _KEYWORD,
        "brand_key": _KEYWORD,
        "category": {"type": "keyword"},
        "category_paths": {"type": "keyword"},
        "attrs": _KEYWORD,
        "price": {"type": "long"},
        "effective_price": {"type": "long"},
        "sale_price": {"type": "long"},
        "on_sale": {"type": "boolean"},
        "in_stock": {"type": "boolean"},
        "rating": {
            "properties": {"average": {"type": "float"}, "count": {"type": "integer"}},
        },
        "sold_count": {"type": "long"},
        "created_at": {"type": "date"},
        "search": {
            "properties": {
                "name": _TEXT,
                "brand": _TEXT,
                "category": _TEXT,
                "description": _TEXT,
            }
        },
        # Prefix (and fuzzy prefix) suggestions; inputs are folded in Python.
        "suggest": {
            "type": "completion",
            "analyzer": "keyword",
            "max_input_length": 50,
        },
        "display": {"type": "object", "enabled": False},
        "state": {"type": "object", "enabled": False},
    },
}

CatalogEntry = tuple[Product, Sequence[StockItem]]


def alias_name(index_prefix: str) -> str:
    return f"{index_prefix}-{NAME}"


class ProductsProjection:
    name = NAME

    def __init__(
        self,
        index_prefix: str,
        *,
        replicas: int = 0,
        refresh_interval: str = "1s",
        max_attempts: int = 8,
    ) -> None:
        self.alias = alias_name(index_prefix)
        self.replicas = replicas
        self.refresh_interval = refresh_interval
        self.max_attempts = max_attempts

    def ensure_index(self, client: Elasticsearch) -> None:
        ensure_index(
            client,
            self.alias,
            MAPPING,
            replicas=self.replicas,
            refresh_interval=self.refresh_interval,
            remedy="run `commerce read-models rebuild products`",
        )

    def project(self, client: Elasticsearch, events: Sequence[EventEnvelope]) -> bool:
        changes = changes_by_product(events)
        if changes:
            write_changes(client, self.alias, changes, self.max_attempts)
        return bool(changes)


def products_projection(
    index_prefix: str, *, replicas: int = 0, refresh_interval: str = "1s"
) -> ProductsProjection:
    """The factory the worker uses (one replica or more on a cluster of several nodes)."""
    return ProductsProjection(index_prefix, replicas=replicas, refresh_interval=refresh_interval)


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


# Rebuild from the write side ----------------------------------------------------------------


def rebuild(
    client: Elasticsearch,
    index_prefix: str,
    read_catalog: Callable[[], Iterable[Sequence[CatalogEntry]]],
    *,
    replicas: int = 0,
    refresh_interval: str = "1s",
    batch_size: int = 500,
) -> tuple[str, int]:
    """Build a new index from the write side, swap the alias onto it atomically, catch up,
    and delete the old index. `read_catalog()` yields batches of (product, its stock items)
    and is called twice: once to fill the new index, once after the swap to merge whatever
    changed meanwhile (events the worker wrote to the old index before the swap are in the
    write side by then). Searches keep answering from the old index until the swap.

    Returns the new index's name and the number of products loaded."""
    alias = alias_name(index_prefix)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    index = f"{alias}-v{MAPPING_VERSION}-{stamp}"
    # No refresh and no replica while loading; both are set before the index serves.
    create_index(client, index, 0, "-1", mapping=MAPPING)
    count = 0
    try:
        for batch in read_catalog():
            operations: list[dict[str, Any]] = []
            for product, stock in batch:
                state = state_from_snapshot(product, stock)
                operations += [{"create": {"_index": index, "_id": state.product_id}}]
                operations.append(document(state))
                count += 1
            _bulk_all(client, operations, batch_size)
        client.indices.put_settings(
            index=index,
            settings={"number_of_replicas": replicas, "refresh_interval": refresh_interval},
        )
        client.indices.refresh(index=index)
        client.cluster.health(index=index, wait_for_status="yellow", timeout="30s")
        old = _indices_of(client, alias)
        actions: list[dict[str, Any]] = [
            {"remove": {"index": name, "alias": alias}} for name in old
        ]
        actions.append({"add": {"index": index, "alias": alias}})
        client.indices.update_aliases(actions=actions)
    except BaseException:
        client.indices.delete(index=index, ignore_unavailable=True)
        raise
    for batch in read_catalog():
        snapshot = {
            state.product_id: state
            for state in (state_from_snapshot(product, stock) for product, stock in batch)
        }
        write_changes(client, alias, snapshot)
    for name in old:
        client.indices.delete(index=name, ignore_unavailable=True)
    logger.info("rebuilt %s into %s with %d products", alias, index, count)
    return index, count


def _indices_of(client: Elasticsearch, alias: str) -> list[str]:
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias).body)


def _bulk_all(client: Elasticsearch, operations: list[dict[str, Any]], batch_size: int) -> None:
    step = 2 * batch_size
    for start in range(0, len(operations), step):
        response = client.bulk(operations=operations[start : start + step], refresh=False)
        if response["errors"]:
            results = [next(iter(item.values())) for item in response["items"]]
            failed = [result for result in results if result["status"] >= 300]
            raise ProjectionWriteError(f"rebuild bulk load failed: {failed[:3]}")
