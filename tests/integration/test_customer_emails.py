"""Customer emails on the real PostgreSQL and a real SMTP server (the stack's mail sink): one
email per event however often the event is delivered, the crash between the mail server's
acceptance and the sent-log, retries then the dead-letter queue on a server that refuses, the
opt-out, and back in stock once."""

import asyncio
import os
import sys
import uuid
from collections.abc import Iterator
from email.message import EmailMessage

import dramatiq
import msgspec
import pytest
from dramatiq.brokers.redis import RedisBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.dramatiq.dead_letters import dead_letters
from commerce.adapters.dramatiq.publisher import DramatiqEventPublisher
from commerce.adapters.dramatiq.routing import NOTIFICATIONS, queue_name
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.payments.sandbox import SandboxPaymentGateway
from commerce.adapters.postgres.notification_log import PostgresNotificationLog
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.application.back_in_stock import RequestBackInStock, request_back_in_stock
from commerce.application.inventory import SetStock, set_stock
from commerce.application.notifications import NotificationsPendingError, notify
from commerce.application.orders import (
    CancelOrder,
    DeliverOrder,
    ShipOrder,
    cancel_order,
    deliver_order,
    ship_order,
)
from commerce.application.payments import SubmitPayment, submit_payment
from commerce.domain.account import Account
from commerce.domain.order import CancelReason, Order
from commerce.domain.values import Money
from commerce.entrypoints.actors import declare_actor
from commerce.entrypoints.customer_emails import customer_emails
from commerce.ports.notification_log import Claim
from commerce.settings import Settings
from tests.emails import LEASE, STORE, encoded, events_of, mailroom
from tests.mail_sink import MailSink, private_mail_sink, refusing_smtp_server
from tests.shop import check_out, customer_with_cart, stocked_product, unique_sku
from tests.workers.dies_after_sending import EXIT_AFTER_SENDING

CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with private_mail_sink() as sink:
        yield sink


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


async def paid_order(engine: AsyncEngine, price: int = 4000) -> tuple[Account, Order]:
    clock = FixedClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    sku = unique_sku()
    shopper = await customer_with_cart(
        new_uow, {sku: 1}, await stocked_product(new_uow, {sku: 3}, price)
    )
    order = (await check_out(new_uow, clock, shopper)).order
    payment = SubmitPayment(
        order_id=order.id,
        payment_id=uuid.uuid4(),
        customer_id=shopper.id,
        amount=Money(price, "EUR"),
        token="tok_visa",
    )
    await submit_payment(payment, new_uow(), SandboxPaymentGateway(engine), clock)
    return shopper, order


async def test_paid_shipped_and_delivered_send_one_email_each_though_every_event_comes_twice(
    engine: AsyncEngine, sink: MailSink
) -> None:
    shopper, order = await paid_order(engine)
    new_uow = lambda: PostgresUnitOfWork(engine, FixedClock())  # noqa: E731
    await ship_order(
        ShipOrder(order_id=order.id, carrier="DHL", tracking_number="JD0142"),
        new_uow(),
        FixedClock(),
    )
    await deliver_order(DeliverOrder(order_id=order.id), new_uow(), FixedClock())
    events = await events_of(engine, "order", str(order.id))

    await notify(events, mailroom(engine, sink.url))
    await notify(events, mailroom(engine, sink.url))  # delivered again
    await notify(events[-2:], mailroom(engine, sink.url))  # and again, in another batch

    mails = sink.wait_for(4, to=shopper.email, seconds=1)
    assert [m["Subject"] for m in mails] == [
        f"Order {order.number}: payment received",
        f"Order {order.number} has shipped",
        f"Order {order.number} was delivered",
    ]
    paid, shipped, delivered = (text_of(m) for m in mails)
    assert "40.00 EUR" in paid
    assert "DHL" in shipped
    assert "Tracking number: JD0142" in shipped
    for text in (paid, shipped, delivered):
        assert f"https://kettle.example/v1/orders/{order.id}" in text
        assert STORE in text
    senders = {(a.display_name, a.addr_spec) for m in mails for a in m["From"].addresses}
    assert senders == {(STORE, "orders@kettle.example")}
    assert len({m["Message-ID"] for m in mails}) == 3


async def test_a_cancelled_paid_order_says_why_and_what_is_refunded(
    engine: AsyncEngine, sink: MailSink
) -> None:
    shopper, order = await paid_order(engine, price=2599)
    cancel = CancelOrder(order_id=order.id, reason=CancelReason.CUSTOMER, customer_id=shopper.id)
    await cancel_order(cancel, PostgresUnitOfWork(engine, FixedClock()), FixedClock())

    await notify(await events_of(engine, "order", str(order.id)), mailroom(engine, sink.url))

    *_, cancelled = sink.wait_for(2, to=shopper.email)
    assert cancelled["Subject"] == f"Order {order.number} was cancelled"
    assert f"Your order {order.number} was cancelled as you asked." in text_of(cancelled)
    assert "We are refunding 25.99 EUR" in text_of(cancelled)


async def test_a_worker_killed_after_the_server_took_the_mail_sends_it_again_after_the_lease(
    engine: AsyncEngine, sink: MailSink, database_url: str
) -> None:
    shopper, order = await paid_order(engine)
    events = await events_of(engine, "order", str(order.id))
    environment = os.environ | {
        "COMMERCE_DATABASE_URL": database_url,
        "COMMERCE_SMTP_URL": sink.url,
    }

    died = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.workers.dies_after_sending",
        encoded(events).decode(),
        cwd=CHECKOUT,
        env=environment,
    )

    assert await died.wait() == EXIT_AFTER_SENDING
    (first,) = sink.wait_for(1, to=shopper.email)
    # Delivered again at once (a redrive, another worker): the claim is still held.
    with pytest.raises(NotificationsPendingError, match="being sent by another"):
        await notify(events, mailroom(engine, sink.url))
    assert len(sink.messages(to=shopper.email)) == 1

    await asyncio.sleep(LEASE.total_seconds())
    await notify(events, mailroom(engine, sink.url))
    await notify(events, mailroom(engine, sink.url))

    mails = sink.wait_for(3, to=shopper.email, seconds=1)
    assert len(mails) == 2  # at least once in that window, and no more
    assert mails[1]["Message-ID"] == first["Message-ID"]  # the same message: one to discard
    assert mails[1]["Subject"] == first["Subject"]


async def test_a_mail_server_that_refuses_gets_retries_then_the_batch_is_parked_unsent(
    engine: AsyncEngine, stack_settings: Settings, database_url: str, broker: RedisBroker
) -> None:
    shopper, order = await paid_order(engine)
    events = await events_of(engine, "order", str(order.id))
    paid = events[-1]
    with refusing_smtp_server() as refusing:
        settings = msgspec.structs.replace(
            stack_settings, database_url=database_url, smtp_url=refusing, smtp_timeout=2
        )
        declare_actor(
            broker, customer_emails(settings), max_retries=2, min_backoff=10, max_backoff=20
        )
        worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
        worker.start()
        try:
            await DramatiqEventPublisher(broker, [NOTIFICATIONS]).publish(events, batch_id=1)
            queue = queue_name(NOTIFICATIONS)
            for _ in range(300):
                if dead_letters(broker, queue):
                    break
                await asyncio.sleep(0.05)
        finally:
            worker.stop()

    (parked,) = dead_letters(broker, queue)
    assert parked.events == len(events)
    assert "Message refused" in parked.error
    # Not marked sent, and not held: a replay once the server takes mail sends it at once.
    log = PostgresNotificationLog(engine)
    now = FixedClock().now()
    assert await log.claim(paid.event_id, shopper.id, now=now, lease=LEASE) is Claim.TAKEN


async def test_back_in_stock_emails_each_waiting_customer_once_and_none_who_chose_essential_emails(
    engine: AsyncEngine, sink: MailSink
) -> None:
    clock = FixedClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    sku = unique_sku("KETTLE")
    product_id = await stocked_product(new_uow, {sku: 0})
    keen = await customer_with_cart(new_uow, {}, product_id)
    quiet = await customer_with_cart(new_uow, {}, product_id)
    async with new_uow() as uow:
        (await uow.accounts.get(quiet.id)).choose_communications("essential")
        await uow.commit()
    requests = mailroom(engine, sink.url).requests
    for customer in (keen, quiet):
        asked = RequestBackInStock(product_id=product_id, sku=sku, customer_id=customer.id)
        assert await request_back_in_stock(asked, new_uow(), requests, clock)
    again = RequestBackInStock(product_id=product_id, sku=sku, customer_id=keen.id)
    assert not await request_back_in_stock(again, new_uow(), requests, clock)

    await set_stock(SetStock(sku=sku, on_hand=5), new_uow())
    events = await events_of(engine, "stock", sku)
    await notify(events, mailroom(engine, sink.url))
    await notify(events, mailroom(engine, sink.url))  # delivered again
    await set_stock(SetStock(sku=sku, on_hand=0), new_uow())
    await set_stock(SetStock(sku=sku, on_hand=2), new_uow())  # back a second time
    await notify(await events_of(engine, "stock", sku), mailroom(engine, sink.url))

    (mail,) = sink.wait_for(2, to=keen.email, seconds=1)
    assert mail["Subject"] == "Stainless steel kettle is back in stock"
    assert sku in text_of(mail)
    assert f"https://kettle.example/v1/products/{product_id}" in text_of(mail)
    assert sink.messages(to=quiet.email) == []
