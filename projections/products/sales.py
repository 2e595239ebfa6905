"""Sales in the `products` read model: the scheduler's `SaleStarted`, and `SaleEnded` or
`SaleDeleted`, put a sale on the products it picks and take it off again, in bulk.

A sale's latest state is kept as a record in an index of its own (`<prefix>-products-sales`,
by external version: a late old event never overwrites a newer one). Products learn of it two
ways, and each writer checks the other's work, so a product created while a sale starts (or
moved into its category) ends up with it whichever write lands first:

- the sale's side writes the record, refreshes, then finds the products it picks (or, once it
  has ended, those holding it) by search and merges the sale into each, a page at a time;
- a product's side, after writing a product's catalogue change, reads the records in force
  and merges those that pick it.

Each then reads the records it applied again (a get is real time) and applies them once more
if they moved on meanwhile: a write that went in after the other side looked is either seen by
that side's search (it refreshed after its own write) or sees that side's record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec
from elasticsearch import Elasticsearch

from commerce.domain.events import EventEnvelope
from projections.indices import ProjectionWriteError, alias_of
from projections.products.document import ProductState
from projections.products.sale_state import SaleRecord, records_from_events
from projections.products.writes import write_changes
from projections.text import fold_keyword

NAME = "products-sales"
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"model": NAME, "mapping_version": 1},
    "properties": {
        "active": {"type": "boolean"},
        "record": {"type": "object", "enabled": False},
    },
}
PAGE = 1000  # products merged per mget and bulk
IN_FLIGHT = 2
# Sales in force at once that a product's change is checked against.
MAX_ACTIVE = 10_000


def records_alias(index_prefix: str) -> str:
    return alias_of(index_prefix, NAME)


def candidates(record: SaleRecord) -> dict[str, Any]:
    """The products a record must be merged into: while active, those it may pick (the
    brand is folded more loosely here than a sale compares it: `picks` decides); then,
    those holding it."""
    holding = {"term": {"sale_ids": record.sale_id}}
    if not record.active:
        return holding
    should: list[dict[str, Any]] = [holding]
    if record.product_ids:
        should.append({"ids": {"values": sorted(record.product_ids)}})
    if record.categories:
        should.append({"terms": {"category_paths": list(record.categories)}})
    if record.brands:
        should.append({"terms": {"brand_key": sorted(map(fold_keyword, record.brands))}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


# Records ------------------------------------------------------------------------------------


def write_records(client: Elasticsearch, alias: str, records: Iterable[SaleRecord]) -> None:
    """Each record unless a newer one of its sale is there (a conflict is then a success)."""
    operations: list[dict[str, Any]] = []
    for record in records:
        operations += [
            {
                "index": {
                    "_index": alias,
                    "_id": record.sale_id,
                    "version": record.version,
                    "version_type": "external",
                }
            },
            {"active": record.active, "record": msgspec.to_builtins(record)},
        ]
    if not operations:
        return
    for item in client.bulk(operations=operations, refresh=False)["items"]:
        result = item["index"]
        if result["status"] >= 300 and result["status"] != 409:
            raise ProjectionWriteError(f"{alias}/{result['_id']}: {result.get('error')}")


def current_records(client: Elasticsearch, alias: str, sale_ids: Iterable[str]) -> dict[str, Any]:
    """The records of these sales as they stand (a get sees writes at once)."""
    wanted = sorted(set(sale_ids))
    if not wanted:
        return {}
    found = client.mget(index=alias, ids=wanted)["docs"]
    return {
        doc["_id"]: msgspec.convert(doc["_source"]["record"], SaleRecord)
        for doc in found
        if doc.get("found")
    }


def active_records(client: Elasticsearch, alias: str) -> list[SaleRecord]:
    found = client.search(
        index=alias, query={"term": {"active": True}}, size=MAX_ACTIVE, track_total_hits=False
    )
    return [msgspec.convert(hit["_source"]["record"], SaleRecord) for hit in found["hits"]["hits"]]


# Merging records into products --------------------------------------------------------------

# The products to merge a record into, a page of ids at a time.
Targets = Callable[[SaleRecord], Iterator[list[str]]]


def apply_records(
    client: Elasticsearch,
    products: str,
    records_index: str,
    records: Mapping[str, SaleRecord],
    targets: Targets,
    *,
    rounds: int = 4,
) -> None:
    """Merge each record into its target products; then again, with the newer record, for a
    sale whose record moved on meanwhile."""
    pending = dict(records)
    for _ in range(rounds):
        # Two pages at once: one is built in Python while Elasticsearch writes the other.
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as threads:
            writing = [
                threads.submit(write_changes, client, products, _with_sale(record, page))
                for record in pending.values()
                for page in targets(record)
            ]
            for written in writing:
                written.result()
        now = current_records(client, records_index, pending)
        pending = {
            sale_id: record
            for sale_id, record in now.items()
            if record.version > pending[sale_id].version
        }
        if not pending:
            return
        client.indices.refresh(index=products)
    raise ProjectionWriteError(f"sales {sorted(pending)} kept changing while being applied")


def _with_sale(record: SaleRecord, page: list[str]) -> dict[str, ProductState]:
    return {
        pid: ProductState(product_id=pid, sales={record.sale_id: record.state_for(pid)})
        for pid in page
    }


def searched_targets(client: Elasticsearch, products: str) -> Targets:
    """The products a record's search finds, a page of ids at a time (after a refresh)."""

    def pages(record: SaleRecord) -> Iterator[list[str]]:
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {"query": candidates(record), "sort": [{"tiebreak": "asc"}]}
            if after is not None:
                body["search_after"] = after
            hits = client.search(
                index=products, size=PAGE, source=False, track_total_hits=False, **body
            )["hits"]["hits"]
            if not hits:
                return
            yield [hit["_id"] for hit in hits]
            after = hits[-1]["sort"]

    return pages


def picked_among(states: Sequence[ProductState]) -> Targets:
    """Of these products, the ones a record picks."""

    def pages(record: SaleRecord) -> Iterator[list[str]]:
        picked = [
            state.product_id
            for state in states
            if state.details is not None and record.picks(state.ref(state.details))
        ]
        for start in range(0, len(picked), PAGE):
            yield picked[start : start + PAGE]

    return pages


def apply_sale_events(
    client: Elasticsearch, products: str, records_index: str, envelopes: Sequence[EventEnvelope]
) -> bool:
    """The sales a batch starts or ends, on their products; whether there were any."""
    records = records_from_events(envelopes)
    if not records:
        return False
    write_records(client, records_index, records.values())
    client.indices.refresh(index=records_index)
    client.indices.refresh(index=products)
    applied = current_records(client, records_index, records)
    apply_records(client, products, records_index, applied, searched_targets(client, products))
    return True


def apply_sales_in_force(
    client: Elasticsearch, products: str, records_index: str, changed: Sequence[ProductState]
) -> None:
    """After products' catalogue changes were written: the sales in force that pick them."""
    catalogued = [state for state in changed if state.details is not None]
    if not catalogued:
        return
    records = {r.sale_id: r for r in active_records(client, records_index)}
    if records:
        apply_records(client, products, records_index, records, picked_among(catalogued))
