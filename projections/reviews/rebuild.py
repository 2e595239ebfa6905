"""Rebuilding the `reviews` read model from the write side: a new index loaded from PostgreSQL,
swapped in behind the alias atomically, then caught up; listings keep answering throughout.

The catch-up writes every review again into the new index: external versions keep whatever
the worker wrote there meanwhile if it is as new or newer, so nothing needs comparing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from elasticsearch import Elasticsearch

from commerce.domain.review import Review
from projections.indices import create_index, serving, swap_alias
from projections.reviews.document import snapshot_of
from projections.reviews.mapping import MAPPING, MAPPING_VERSION, alias_name
from projections.reviews.projector import write_snapshots

logger = logging.getLogger(__name__)


def rebuild(
    client: Elasticsearch,
    index_prefix: str,
    read_reviews: Callable[[], Iterable[Sequence[Review]]],
    *,
    replicas: int = 0,
    refresh_interval: str = "1s",
) -> tuple[str, int]:
    """A new index of every review (`read_reviews()` yields them in batches, and is called
    twice: to load, and to catch up after the swap); the old index is deleted. Returns the new
    index's name and the number of reviews loaded."""
    alias = alias_name(index_prefix)
    index = f"{alias}-v{MAPPING_VERSION}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
    create_index(client, index, 0, "-1", mapping=MAPPING)
    try:
        loaded = _write(client, index, read_reviews())
        serving(client, index, replicas, refresh_interval)
        old = swap_alias(client, alias, index)
    except BaseException:
        client.indices.delete(index=index, ignore_unavailable=True)
        raise
    _write(client, alias, read_reviews())
    for name in old:
        client.indices.delete(index=name, ignore_unavailable=True)
    logger.info("rebuilt %s into %s with %d reviews", alias, index, loaded)
    return index, loaded


def _write(client: Elasticsearch, index: str, batches: Iterable[Sequence[Review]]) -> int:
    written = 0
    for batch in batches:
        write_snapshots(client, index, [snapshot_of(review) for review in batch])
        written += len(batch)
    return written
