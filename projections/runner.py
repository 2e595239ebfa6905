"""Runs batches of events through a read model: the work of the read model's actor in the
worker (`commerce.entrypoints.actors` declares it and says how a failing batch is retried).

A batch is applied idempotently; its events are recorded as projected for read-your-writes
once a refresh has made them searchable, a refresh shared by every batch written meanwhile
(`projections.visibility`). Whoever runs it passes the connections in, so the read side knows
no settings, broker or progress store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple
from uuid import UUID

import msgspec
from elasticsearch import Elasticsearch

from commerce.domain.events import EventEnvelope
from projections.base import Projection
from projections.visibility import RefreshThenMark

# Refreshes of a read model's index while the worker writes to it: at most one per this many
# seconds (the worker takes COMMERCE_PROJECTION_REFRESH_INTERVAL).
REFRESH_EVERY = 0.5

# Records that a read model applied these events (the worker's side of read-your-writes).
MarkProjected = Callable[[str, Sequence[UUID]], None]
# Told of every batch written (the worker's metrics).
OnApplied = Callable[[str, Sequence[EventEnvelope]], None]


class Connections(NamedTuple):
    elasticsearch: Elasticsearch
    mark_projected: MarkProjected


class ProjectionRunner:
    """Applies batches to one read model; connects, and checks the index, once per process.
    The index is refreshed at most once per `refresh_every` seconds while batches wait."""

    def __init__(
        self,
        projection: Projection,
        connect: Callable[[], Connections],
        refresh_every: float = REFRESH_EVERY,
        on_applied: OnApplied | None = None,
    ) -> None:
        self.projection = projection
        self._connect_once = connect
        self._refresh_every = refresh_every
        self._on_applied = on_applied
        self._lock = threading.Lock()
        self._connected: tuple[Elasticsearch, RefreshThenMark] | None = None

    @property
    def name(self) -> str:
        return self.projection.name

    def __call__(self, batch: list[dict[str, Any]]) -> None:
        events = msgspec.convert(batch, list[EventEnvelope])
        client, visibility = self._connect()
        wrote = self.projection.project(client, events)
        visibility.submit([event.event_id for event in events], wrote=wrote)
        if self._on_applied is not None:
            self._on_applied(self.name, events)

    def close(self) -> None:
        """Refresh and record what waits, stop the refresh thread and drop the connection
        (a worker leaves this to exit; whoever runs batches in a process that goes on calls it)."""
        with self._lock:
            connected, self._connected = self._connected, None
        if connected is not None:
            client, visibility = connected
            visibility.close()
            client.close()

    def _connect(self) -> tuple[Elasticsearch, RefreshThenMark]:
        with self._lock:
            if self._connected is None:
                client, mark_projected = self._connect_once()
                self.projection.ensure_index(client)
                visibility = RefreshThenMark(
                    partial(client.indices.refresh, index=self.projection.alias),
                    partial(mark_projected, self.projection.name),
                    self._refresh_every,
                    name=self.projection.name,
                )
                self._connected = client, visibility
            return self._connected
