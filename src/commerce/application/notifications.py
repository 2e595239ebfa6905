"""Customer emails, sent once per event, run by workers.

An order that is paid, shipped, delivered or cancelled gets its customer an email (always:
they are essential); a variant back in stock gets one to each customer waiting for it, unless
they chose essential emails only. Each email is claimed in the sent-log before the mail server
is called and marked sent after (`ports/notification_log.py`): a second delivery of the event
sends nothing. A send that fails gives its claim back and fails the batch, which the worker
retries; the batch's other emails still go, and are skipped on the retry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from commerce.application.order_saga import refunded_on_cancellation
from commerce.domain.event_types import EVENTS
from commerce.domain.events import DomainEvent, EventEnvelope
from commerce.domain.inventory import StockLevelChanged
from commerce.domain.order import (
    Order,
    OrderCancelled,
    OrderDelivered,
    OrderEvent,
    OrderPlaced,
    OrderShipped,
    OrderStatus,
    PaymentSucceeded,
)
from commerce.ports.back_in_stock import BackInStockRequests
from commerce.ports.clock import Clock
from commerce.ports.notification_log import Claim, NotificationLog
from commerce.ports.notifier import Email, EmailTemplates, NotificationFailedError, Notifier
from commerce.ports.unit_of_work import UnitOfWorkFactory

NOTIFYING_EVENTS = frozenset(
    event.type_name()
    for event in (
        OrderPlaced,
        PaymentSucceeded,
        OrderShipped,
        OrderDelivered,
        OrderCancelled,
        StockLevelChanged,
    )
)


@dataclass(frozen=True)
class Mailroom:
    """What sending customer emails needs."""

    uow: UnitOfWorkFactory
    log: NotificationLog
    notifier: Notifier
    templates: EmailTemplates
    requests: BackInStockRequests
    clock: Clock
    # How long a claim keeps others off: longer than any send may take.
    lease: timedelta


class NotificationHeldError(Exception):
    """Another sender holds the claim: try again once its lease may have run out."""


class NotificationsPendingError(Exception):
    """Some emails of the batch were not sent; the others were, and are not sent again."""


@dataclass(frozen=True)
class _Delivery:
    event_id: UUID
    recipient: UUID
    email: Email | None  # None: nothing to send (they opted out), only `done` to run
    done: Callable[[], Awaitable[None]] | None = None


async def notify(envelopes: Sequence[EventEnvelope], mailroom: Mailroom) -> None:
    """Send the emails the events call for, each once; ignore every other event."""
    failures: list[Exception] = []
    for envelope in envelopes:
        if envelope.type not in NOTIFYING_EVENTS:
            continue
        for delivery in await _deliveries(envelope, mailroom):
            try:
                await _deliver_once(delivery, mailroom)
            except (NotificationFailedError, NotificationHeldError) as error:
                failures.append(error)
    if failures:
        raise NotificationsPendingError(
            f"{len(failures)} email(s) not sent, first: {failures[0]}"
        ) from failures[0]


async def _deliver_once(delivery: _Delivery, mailroom: Mailroom) -> None:
    if delivery.email is not None:
        await _send_once(delivery.event_id, delivery.recipient, delivery.email, mailroom)
    if delivery.done is not None:
        await delivery.done()


async def _send_once(event_id: UUID, recipient: UUID, email: Email, mailroom: Mailroom) -> None:
    log, now = mailroom.log, mailroom.clock.now()
    claim = await log.claim(event_id, recipient, now=now, lease=mailroom.lease)
    if claim is Claim.SENT:
        return
    if claim is Claim.HELD:
        raise NotificationHeldError(f"the email of event {event_id} is being sent by another")
    try:
        await mailroom.notifier.send(email)
    except NotificationFailedError:
        await log.release(event_id, recipient)
        raise
    # Dying here (the server has the message, the log does not say so) leaves the claim to
    # lapse: the next delivery sends again, with the same Message-ID.
    await log.mark_sent(event_id, recipient, now=mailroom.clock.now())


async def _deliveries(envelope: EventEnvelope, mailroom: Mailroom) -> list[_Delivery]:
    event = EVENTS.decode(envelope)
    if isinstance(event, StockLevelChanged):
        return await _back_in_stock(envelope, event, mailroom)
    template = _order_template(event)
    if template is None or not isinstance(event, OrderEvent):
        return []
    async with mailroom.uow() as uow:
        order = await uow.orders.get(event.order_id)
        account = await uow.accounts.get(order.customer_id)
    values = {"customer_name": account.name, **_order_values(order), **_event_values(event, order)}
    message_id = _message_id(envelope.event_id, order.customer_id)
    email = _compose(mailroom, template, values, to=order.customer_email, message_id=message_id)
    return [_Delivery(envelope.event_id, order.customer_id, email)]


def _order_template(event: DomainEvent) -> str | None:
    if isinstance(event, OrderPlaced | PaymentSucceeded):
        return "order_paid" if event.status == OrderStatus.PAID else None
    return {
        OrderShipped: "order_shipped",
        OrderDelivered: "order_delivered",
        OrderCancelled: "order_cancelled",
    }.get(type(event))


def _order_values(order: Order) -> dict[str, object]:
    return {
        "number": order.number,
        "total": order.total.formatted(),
        "link": f"/v1/orders/{order.id}",
    }


def _event_values(event: DomainEvent, order: Order) -> dict[str, object]:
    if isinstance(event, OrderShipped):
        return {"carrier": event.carrier, "tracking_number": event.tracking_number}
    if isinstance(event, OrderCancelled):
        refund = refunded_on_cancellation(order)
        return {"reason": event.reason, "refund": refund.formatted() if refund.amount else None}
    return {}


async def _back_in_stock(
    envelope: EventEnvelope, event: StockLevelChanged, mailroom: Mailroom
) -> list[_Delivery]:
    if event.available <= 0:
        return []
    sku, requests = event.sku, mailroom.requests
    waiting = await requests.waiting(sku, before_version=envelope.aggregate_version)
    if not waiting:
        return []
    async with mailroom.uow() as uow:
        product = await uow.products.get(event.product_id)
        accounts = [await uow.accounts.get(customer_id) for customer_id in waiting]
    values = {
        "product_name": product.details.name,
        "sku": sku,
        "link": f"/v1/products/{product.id}",
    }
    deliveries = []
    for account in accounts:
        email = None
        if account.wants_non_essential_emails:
            named = {**values, "customer_name": account.name}
            message_id = _message_id(envelope.event_id, account.id)
            email = _compose(
                mailroom, "back_in_stock", named, to=account.email, message_id=message_id
            )
        done = _remover(requests, sku, account.id)
        deliveries.append(_Delivery(envelope.event_id, account.id, email, done))
    return deliveries


def _remover(
    requests: BackInStockRequests, sku: str, customer_id: UUID
) -> Callable[[], Awaitable[None]]:
    return lambda: requests.remove(sku, customer_id)


def _compose(
    mailroom: Mailroom, template: str, values: Mapping[str, object], *, to: str, message_id: str
) -> Email:
    rendered = mailroom.templates.render(template, values)
    return Email(
        message_id=message_id,
        to=to,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
    )


def _message_id(event_id: UUID, recipient: UUID) -> str:
    """The same for every send of the same notification."""
    return f"{event_id}.{recipient}"
