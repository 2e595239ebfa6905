"""Customer emails in the worker process (application/notifications.py) on the service's
adapters: the SMTP server, the sent-log and the write side in PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from commerce.adapters.dramatiq.routing import NOTIFICATIONS
from commerce.application.notifications import NOTIFYING_EVENTS, Mailroom, notify
from commerce.container import Container
from commerce.domain.events import EventEnvelope
from commerce.entrypoints.async_consumer import AsyncConsumer
from commerce.settings import Settings


def mailroom(container: Container) -> Mailroom:
    return Mailroom(
        uow=container.uow,
        log=container.notification_log(),
        notifier=container.notifier(),
        templates=container.email_templates(),
        requests=container.back_in_stock_requests(),
        clock=container.clock(),
        lease=timedelta(seconds=container.settings().notification_lease),
    )


async def _notify(envelopes: list[EventEnvelope], container: Container) -> None:
    await notify(envelopes, mailroom(container))


def customer_emails(settings: Settings) -> AsyncConsumer:
    return AsyncConsumer(NOTIFICATIONS, NOTIFYING_EVENTS, _notify, settings)
