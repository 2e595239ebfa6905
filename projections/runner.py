"""Runs batches of events through a read model: the work of the read model's actor in the
worker (`commerce.entrypoints.actors` declares it and says how a failing batch is retried).

A batch is applied idempotently, made searchable (a refresh, when it wrote anything), and then
recorded as projected for read-your-writes. Whoever runs it passes the connections in, so the
read side knows no settings, broker or progress store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from uuid import UUID

import msgspec
from elasticsearch import Elasticsearch

from commerce.domain.events import EventEnvelope
from projections.base import Projection

# Records that a read model applied these events (the worker's side of read-your-writes).
MarkProjected = Callable[[str, Sequence[UUID]], None]


class Connections(NamedTuple):
    elasticsearch: Elasticsearch
    mark_projected: MarkProjected


class ProjectionRunner:
    """Applies batches to one read model; connects, and checks the index, once per process."""

    def __init__(self, projection: Projection, connect: Callable[[], Connections]) -> None:
        self.projection = projection
        self._connect_once = connect
        self._lock = threading.Lock()
        self._connections: Connections | None = None

    @property
    def name(self) -> str:
        return self.projection.name

    def __call__(self, batch: list[dict[str, Any]]) -> None:
        events = msgspec.convert(batch, list[EventEnvelope])
        client, mark_projected = self._connect()
        if self.projection.project(client, events):
            client.indices.refresh(index=self.projection.alias)
        mark_projected(self.projection.name, [event.event_id for event in events])

    def _connect(self) -> Connections:
        with self._lock:
            if self._connections is None:
                connections = self._connect_once()
                self.projection.ensure_index(connections.elasticsearch)
                self._connections = connections
            return self._connections
