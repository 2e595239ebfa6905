"""The order saga in the worker process (application/order_saga.py) on the service's
adapters."""

from __future__ import annotations

from commerce.adapters.dramatiq.routing import ORDER_SAGA
from commerce.application.order_saga import SAGA_EVENTS, react
from commerce.container import Container
from commerce.domain.events import EventEnvelope
from commerce.entrypoints.async_consumer import AsyncConsumer
from commerce.settings import Settings


async def _react(envelopes: list[EventEnvelope], container: Container) -> None:
    await react(envelopes, container.uow(), container.payment_gateway(), container.clock())


def order_saga(settings: Settings) -> AsyncConsumer:
    return AsyncConsumer(ORDER_SAGA, SAGA_EVENTS, _react, settings)
