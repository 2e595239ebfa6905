"""Versioned read-modify-write of documents whose state merges (commutative and idempotent):
mget, merge, then a bulk guarded by `if_seq_no`/`if_primary_term` (`create` for a new one).

A read model hands its own `merge`, `decode` (a document's source → its state) and `document`
(state → source). A document someone else wrote in between is read and merged again; a change
the document already holds writes nothing, so a duplicate or late event is a success.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from elasticsearch import Elasticsearch

from projections.indices import ProjectionWriteError

S = TypeVar("S")


@dataclass(frozen=True)
class MergedDocuments(Generic[S]):
    """How a read model's documents hold a state: the source field it is stored in, how to
    read it back, merge a change into it (`None`: no document yet), and build the source."""

    state_field: str
    decode: Callable[[Any], S]
    merge: Callable[[S | None, S], S]
    document: Callable[[S], dict[str, Any]]

    def write(
        self,
        client: Elasticsearch,
        index: str,
        changes: Mapping[str, S],
        max_attempts: int = 8,
    ) -> None:
        """Merge each change (by document id) into its document."""
        pending = dict(changes)
        for attempt in range(max_attempts):
            operations = self._operations(client, index, pending)
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
            pending = {doc_id: pending[doc_id] for doc_id in conflicts}
            if not pending:
                return
            time.sleep(random.uniform(0, 0.01 * (attempt + 1)))  # noqa: S311 - jitter
        raise ProjectionWriteError(
            f"{len(pending)} documents of {index} kept conflicting after {max_attempts} attempts"
        )

    def _operations(
        self, client: Elasticsearch, index: str, changes: Mapping[str, S]
    ) -> list[dict[str, Any]]:
        found = client.mget(index=index, ids=list(changes), source=[self.state_field])
        operations: list[dict[str, Any]] = []
        for doc in found["docs"]:
            if "error" in doc:
                raise ProjectionWriteError(f"{index}/{doc['_id']}: {doc['error']}")
            change = changes[doc["_id"]]
            if doc.get("found"):
                current = self.decode(doc["_source"][self.state_field])
                merged = self.merge(current, change)
                if merged == current:
                    continue
                guard = {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]}
                operations.append({"index": {"_index": index, "_id": doc["_id"], **guard}})
            else:
                merged = self.merge(None, change)
                operations.append({"create": {"_index": index, "_id": doc["_id"]}})
            operations.append(self.document(merged))
        return operations
