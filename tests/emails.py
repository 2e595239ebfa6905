"""Customer emails on the real servers: the mailroom of the worker, on a test's database and
mail server, and the outbox events to hand it."""

from __future__ import annotations

from datetime import timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.notify.smtp import SmtpNotifier
from commerce.adapters.notify.templates import JinjaEmailTemplates
from commerce.adapters.postgres.back_in_stock import PostgresBackInStockRequests
from commerce.adapters.postgres.notification_log import PostgresNotificationLog
from commerce.adapters.postgres.outbox import envelope_from_row
from commerce.adapters.postgres.tables import outbox
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.adapters.system_clock import SystemClock
from commerce.application.notifications import Mailroom
from commerce.domain.events import EventEnvelope
from commerce.ports.notifier import Notifier

STORE = "Kettle & Co"
LEASE = timedelta(seconds=2)


def mailroom(engine: AsyncEngine, smtp_url: str, notifier: Notifier | None = None) -> Mailroom:
    clock = SystemClock()
    return Mailroom(
        uow=lambda: PostgresUnitOfWork(engine, clock),
        log=PostgresNotificationLog(engine),
        notifier=notifier or SmtpNotifier(smtp_url, "orders@kettle.example", STORE, 5),
        templates=JinjaEmailTemplates(STORE, "https://kettle.example"),
        requests=PostgresBackInStockRequests(engine),
        clock=clock,
        lease=LEASE,
    )


async def events_of(
    engine: AsyncEngine, aggregate_type: str, aggregate_id: str
) -> list[EventEnvelope]:
    """An aggregate's events as they stand in the outbox, oldest first."""
    query = (
        select(outbox)
        .where(outbox.c.aggregate_type == aggregate_type, outbox.c.aggregate_id == aggregate_id)
        .order_by(outbox.c.id)
    )
    async with engine.connect() as connection:
        return [envelope_from_row(row) for row in (await connection.execute(query)).mappings()]


def encoded(envelopes: list[EventEnvelope]) -> bytes:
    return msgspec.json.encode(envelopes)
