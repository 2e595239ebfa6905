"""Every document of a read model, sorted by id, page by page (`search_after`), with only the
source fields asked for: the read side of `commerce read-models verify`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from commerce.adapters.elasticsearch.errors import index_missing

PAGE_SIZE = 1000


def documents_by_id(
    client: Elasticsearch,
    alias: str,
    id_field: str,
    source: Sequence[str],
    page_size: int = PAGE_SIZE,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, source) of every document behind `alias`, in the order of `id_field`, a keyword
    holding the document's id (`_id` itself cannot be sorted on). A missing index reads as
    empty. Pages follow one another by the last id seen, so an alias swapped by a rebuild
    meanwhile is followed without a document read twice or skipped."""
    # What was written less than a refresh interval ago would not be searchable yet.
    client.indices.refresh(index=alias, ignore_unavailable=True, allow_no_indices=True)
    after: list[Any] | None = None
    while True:
        try:
            response = client.search(
                index=alias,
                sort=[{id_field: "asc"}],
                size=page_size,
                source_includes=list(source),
                search_after=after,
                track_total_hits=False,
            )
        except NotFoundError as error:
            if index_missing(error):
                return
            raise
        hits = response["hits"]["hits"]
        for hit in hits:
            yield hit["_id"], hit.get("_source", {})
        if len(hits) < page_size:
            return
        after = hits[-1]["sort"]
