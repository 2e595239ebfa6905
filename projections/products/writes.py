"""Versioned read-modify-write of `products` documents: partial states (from events, sales or
write-side snapshots) merged into the documents behind the alias."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Any

from elasticsearch import Elasticsearch

from projections.indices import ProjectionWriteError
from projections.products.document import ProductState, decode_state, document, merge
from projections.products.mapping import NAME


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
