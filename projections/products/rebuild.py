"""Rebuilding the `products` read model from the write side: a new index, loaded in bulk, swapped
in behind the alias atomically, then caught up; searches keep answering throughout."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from projections.indices import ProjectionWriteError, create_index
from projections.products.document import CatalogEntry, document, state_from_snapshot
from projections.products.mapping import MAPPING, MAPPING_VERSION, alias_name
from projections.products.projector import write_changes

logger = logging.getLogger(__name__)


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
