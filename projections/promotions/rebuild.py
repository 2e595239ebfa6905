"""Rebuilding the `promotions` read model from the write side: a new index loaded from every
sale and code, swapped in behind the alias atomically, then caught up; staff's lists keep
answering from the old index until the swap."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch

from commerce.domain.pricing import PromoCode, Sale
from projections.indices import ProjectionWriteError, create_index, swap_alias
from projections.promotions.document import doc_id, document, state_of
from projections.promotions.mapping import MAPPING, MAPPING_VERSION, alias_name
from projections.promotions.projector import DOCUMENTS

logger = logging.getLogger(__name__)

ReadPromotions = Callable[[], Iterable[Sequence[Sale | PromoCode]]]


def rebuild(
    client: Elasticsearch,
    index_prefix: str,
    read_promotions: ReadPromotions,
    *,
    replicas: int = 0,
    refresh_interval: str = "1s",
) -> tuple[str, int]:
    """Build a new index from the write side, swap the alias onto it, catch up, and delete
    the old index. `read_promotions()` yields batches of sales and codes and is called twice:
    to fill the new index, and after the swap to merge whatever changed meanwhile (what the
    worker wrote to the old index before the swap is in the write side by then; the merge
    keeps what is newer in either). Returns the new index's name and the documents loaded."""
    alias = alias_name(index_prefix)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    index = f"{alias}-v{MAPPING_VERSION}-{stamp}"
    create_index(client, index, replicas, refresh_interval, mapping=MAPPING)
    try:
        loaded = sum(_load(client, index, batch) for batch in read_promotions())
        client.indices.refresh(index=index)
        old = swap_alias(client, alias, index)
    except BaseException:
        client.indices.delete(index=index, ignore_unavailable=True)
        raise
    for batch in read_promotions():
        DOCUMENTS.write(client, alias, {doc_id(s): s for s in map(state_of, batch)})
    for name in old:
        client.indices.delete(index=name, ignore_unavailable=True)
    logger.info("rebuilt %s into %s with %d documents", alias, index, loaded)
    return index, loaded


def _load(client: Elasticsearch, index: str, batch: Sequence[Sale | PromoCode]) -> int:
    operations: list[dict[str, Any]] = []
    for state in map(state_of, batch):
        operations += [{"create": {"_index": index, "_id": doc_id(state)}}, document(state)]
    if not operations:
        return 0
    response = client.bulk(operations=operations, refresh=False)
    if response["errors"]:
        results = [next(iter(item.values())) for item in response["items"]]
        failed = [result for result in results if result["status"] >= 300]
        raise ProjectionWriteError(f"rebuild bulk load failed: {failed[:3]}")
    return len(batch)
