"""Consumers whose steps are coroutines over the service's adapters (the order saga, the
customer emails): Dramatiq's threads hand them batches; the steps run on one event loop of
the consumer's own, with the service's adapters made on that loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from commerce.container import Container, build_container
from commerce.domain.events import EventEnvelope
from commerce.settings import Settings

# Below the actor's time limit, so a hung step fails the batch (and is retried) cleanly.
STEP_TIMEOUT_S = 100

Step = Callable[[list[EventEnvelope], Container], Awaitable[None]]


class AsyncConsumer:
    def __init__(self, name: str, events: frozenset[str], step: Step, settings: Settings) -> None:
        self.name = name
        self._events = events
        self._step = step
        self._settings = settings
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._container: Container | None = None

    def __call__(self, batch: list[dict[str, Any]]) -> None:
        envelopes = msgspec.convert(batch, list[EventEnvelope])
        if not any(envelope.type in self._events for envelope in envelopes):
            return
        future = asyncio.run_coroutine_threadsafe(self._run(envelopes), self._running_loop())
        future.result(timeout=STEP_TIMEOUT_S)

    async def _run(self, envelopes: list[EventEnvelope]) -> None:
        # Created on the consumer's own loop: database connections belong to the loop that
        # made them.
        if self._container is None:
            self._container = build_container(self._settings)
        await self._step(envelopes, self._container)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name=self.name, daemon=True).start()
                self._loop = loop
            return self._loop
