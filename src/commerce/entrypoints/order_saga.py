"""The order saga in the worker process: Dramatiq's threads hand it batches; its async steps
(application/order_saga.py) run on one event loop of its own, with the service's adapters."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import msgspec

from commerce.adapters.dramatiq.routing import ORDER_SAGA
from commerce.application.order_saga import SAGA_EVENTS, react
from commerce.container import Container, build_container
from commerce.domain.events import EventEnvelope
from commerce.settings import Settings

# Below the actor's time limit, so a hung step fails the batch (and is retried) cleanly.
STEP_TIMEOUT_S = 100


class OrderSagaRunner:
    name = ORDER_SAGA

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._container: Container | None = None

    def __call__(self, batch: list[dict[str, Any]]) -> None:
        envelopes = msgspec.convert(batch, list[EventEnvelope])
        if not any(envelope.type in SAGA_EVENTS for envelope in envelopes):
            return
        future = asyncio.run_coroutine_threadsafe(self._react(envelopes), self._running_loop())
        future.result(timeout=STEP_TIMEOUT_S)

    async def _react(self, envelopes: list[EventEnvelope]) -> None:
        # Created on the saga's own loop: database connections belong to the loop that made them.
        if self._container is None:
            self._container = build_container(self._settings)
        container = self._container
        await react(envelopes, container.uow(), container.payment_gateway(), container.clock())

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="order-saga", daemon=True).start()
                self._loop = loop
            return self._loop
