"""What every read model provides to the worker.

A projection receives events in batches (the relay sends one batch per claim), in outbox
order, possibly more than once and possibly late. Its writes must be idempotent and
order-safe: a document remembers the version of each source it was built from and ignores
anything not newer. Raising makes the worker retry the batch with backoff.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from elasticsearch import Elasticsearch

from commerce.domain.events import EventEnvelope


class Projection(Protocol):
    name: str
    alias: str  # what its readers and writers name; the runner refreshes it

    def ensure_index(self, client: Elasticsearch) -> None:
        """Create the index behind its alias if missing, and fail loudly if the server refuses
        the mapping."""
        ...

    def project(self, client: Elasticsearch, events: Sequence[EventEnvelope]) -> bool:
        """Apply the events this read model cares about and ignore the others; say whether
        anything was written (the runner makes the index searchable only then)."""
        ...
