"""Rebuilding the `products` read model from the write side: a new index, loaded in bulk, swapped
in behind the alias atomically, then caught up; searches keep answering throughout."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, cast

import msgspec
from elasticsearch import Elasticsearch

from commerce.domain.pricing import Sale
from projections.indices import (
    ProjectionWriteError,
    create_index,
    ensure_index,
    serving,
    swap_alias,
)
from projections.products.document import (
    CatalogEntry,
    ProductState,
    document,
    state_from_snapshot,
)
from projections.products.mapping import MAPPING, MAPPING_VERSION, alias_name
from projections.products.sale_state import SaleRecord, record_of
from projections.products.sales import MAPPING as SALES_MAPPING
from projections.products.sales import records_alias, write_records
from projections.products.writes import write_changes

logger = logging.getLogger(__name__)


# A bulk request of about this size; while Elasticsearch indexes one, the next is being built.
BULK_BYTES = 8 * 1024 * 1024
IN_FLIGHT = 2
_REMEDY = "delete the products-sales index and rebuild again"
_ENCODER = msgspec.json.Encoder()


def rebuild(
    client: Elasticsearch,
    index_prefix: str,
    read_catalog: Callable[[], Iterable[Sequence[CatalogEntry]]],
    *,
    read_sales: Callable[[], Iterable[Sequence[Sale]]] = lambda: (),
    replicas: int = 0,
    refresh_interval: str = "1s",
) -> tuple[str, int]:
    """Build a new index from the write side, swap the alias onto it atomically, catch up,
    and delete the old index. `read_catalog()` yields batches of (product, its stock items,
    its rating)
    and is called twice: once to fill the new index, once after the swap to merge whatever
    changed meanwhile (events the worker wrote to the old index before the swap are in the
    write side by then); `read_sales()` yields the sales the scheduler has started and not
    ended, read before each (their records are written again too). Searches keep answering
    from the old index until the swap.

    Returns the new index's name and the number of products loaded."""
    alias = alias_name(index_prefix)
    sales = _started_sales(client, index_prefix, read_sales)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    index = f"{alias}-v{MAPPING_VERSION}-{stamp}"
    # No refresh and no replica while loading; both are set before the index serves.
    create_index(client, index, 0, "-1", mapping=MAPPING)
    try:
        loaded = _load(client, index, read_catalog(), sales)
        serving(client, index, replicas, refresh_interval)
        old = swap_alias(client, alias, index)
    except BaseException:
        client.indices.delete(index=index, ignore_unavailable=True)
        raise
    sales = _started_sales(client, index_prefix, read_sales)
    for batch in read_catalog():
        states = (state_from_snapshot(p, stock, sales, rating) for p, stock, rating in batch)
        changed = {s.product_id: s for s in states if loaded.get(s.product_id) != _digest(s)}
        if changed:
            write_changes(client, alias, changed)
    for name in old:
        client.indices.delete(index=name, ignore_unavailable=True)
    logger.info("rebuilt %s into %s with %d products", alias, index, len(loaded))
    return index, len(loaded)


def _digest(state: ProductState) -> int:
    return hash(_ENCODER.encode(state))


def _started_sales(
    client: Elasticsearch, index_prefix: str, read_sales: Callable[[], Iterable[Sequence[Sale]]]
) -> list[SaleRecord]:
    """The started sales' records, written again (a record newer there stays)."""
    records = [record_of(sale) for batch in read_sales() for sale in batch]
    alias = records_alias(index_prefix)
    ensure_index(client, alias, SALES_MAPPING, replicas=0, refresh_interval="1s", remedy=_REMEDY)
    write_records(client, alias, records)
    return records


def _load(
    client: Elasticsearch,
    index: str,
    catalog: Iterable[Sequence[CatalogEntry]],
    sales: Sequence[SaleRecord],
) -> dict[str, int]:
    """Create a document for every product, in bulk requests sent from threads of their own:
    reading and building the next documents overlaps with Elasticsearch indexing the last
    ones. Returns each product's state digest, by which the catch-up skips what did not
    change."""
    loaded: dict[str, int] = {}
    lines: list[bytes] = []
    size = 0
    sending: deque[Future[None]] = deque()
    with ThreadPoolExecutor(max_workers=IN_FLIGHT) as threads:
        try:
            for batch in catalog:
                for product, stock, rating in batch:
                    state = state_from_snapshot(product, stock, sales, rating)
                    loaded[state.product_id] = _digest(state)
                    action = {"create": {"_id": state.product_id}}
                    line = b"%s\n%s\n" % (_ENCODER.encode(action), _ENCODER.encode(document(state)))
                    lines.append(line)
                    size += len(line)
                if size >= BULK_BYTES:
                    _send(threads, sending, client, index, b"".join(lines))
                    lines, size = [], 0
            if lines:
                _send(threads, sending, client, index, b"".join(lines))
            while sending:
                sending.popleft().result()
        finally:
            for request in sending:
                request.cancel()
    return loaded


def _send(
    threads: ThreadPoolExecutor,
    sending: deque[Future[None]],
    client: Elasticsearch,
    index: str,
    body: bytes,
) -> None:
    while len(sending) >= IN_FLIGHT:
        sending.popleft().result()
    sending.append(threads.submit(_bulk, client, index, body))


def _bulk(client: Elasticsearch, index: str, body: bytes) -> None:
    # Ready NDJSON: the client sends bytes as they are (its types only name the mappings).
    response = client.bulk(index=index, operations=cast(Any, body), refresh=False)
    if response["errors"]:
        results = [next(iter(item.values())) for item in response["items"]]
        failed = [result for result in results if result["status"] >= 300]
        raise ProjectionWriteError(f"rebuild bulk load failed: {failed[:3]}")
