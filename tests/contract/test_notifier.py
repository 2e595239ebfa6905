"""The notifier's contract, held by the in-memory twin and by the SMTP adapter on a real SMTP
server (the stack's mail sink) alike: what is sent arrives whole, and a refusal is an error."""

from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest

from commerce.adapters.memory.notifier import InMemoryNotifier
from commerce.adapters.notify.smtp import SmtpNotifier
from commerce.ports.notifier import Email, NotificationFailedError, Notifier
from tests.mail_sink import MailSink, private_mail_sink, refusing_smtp_server

HELLO = Email(
    message_id="0b8c3f2e-0000-4000-8000-000000000001.ada",
    to="ada@example.com",
    subject="Order C-000123 has shipped",
    text="Your order C-000123 is on its way. Ünïcode too.\n",
    html="<p>Your order <strong>C-000123</strong> is on its way.</p>",
)


@dataclass
class Received:
    message_id: str
    to: str
    subject: str
    text: str
    html: str


@dataclass
class Server:
    notifier: Notifier
    refusing: Notifier

    def received(self) -> list[Received]:
        raise NotImplementedError


@dataclass
class Twin(Server):
    def received(self) -> list[Received]:
        assert isinstance(self.notifier, InMemoryNotifier)
        return [
            Received(f"<{e.message_id}@shop.example>", e.to, e.subject, e.text, e.html)
            for e in self.notifier.sent
        ]


@dataclass
class Smtp(Server):
    sink: MailSink

    def received(self) -> list[Received]:
        return [_parsed(mail) for mail in self.sink.wait_for(1)]


def _parsed(mail: EmailMessage) -> Received:
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None
    assert html is not None
    return Received(
        mail["Message-ID"],
        mail["To"],
        mail["Subject"],
        _unix(text.get_content()),
        _unix(html.get_content()).rstrip("\n"),
    )


def _unix(text: str) -> str:
    return text.replace("\r\n", "\n")


@pytest.fixture(params=["memory", "smtp"])
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    if request.param == "memory":
        refusing = InMemoryNotifier()
        refusing.refusing = True
        yield Twin(InMemoryNotifier(), refusing)
        return
    with private_mail_sink() as sink, refusing_smtp_server() as refusing_url:
        yield Smtp(
            SmtpNotifier(sink.url, "orders@shop.example", "Kettle Shop", 5),
            SmtpNotifier(refusing_url, "orders@shop.example", "Kettle Shop", 5),
            sink,
        )


async def test_a_sent_email_arrives_with_its_recipient_subject_both_bodies_and_message_id(
    server: Server,
) -> None:
    await server.notifier.send(HELLO)

    assert server.received() == [
        Received(
            f"<{HELLO.message_id}@shop.example>", HELLO.to, HELLO.subject, HELLO.text, HELLO.html
        )
    ]


async def test_a_server_that_refuses_the_message_is_an_error_the_caller_can_retry(
    server: Server,
) -> None:
    with pytest.raises(NotificationFailedError):
        await server.refusing.send(HELLO)


async def test_an_unreachable_server_is_the_same_error() -> None:
    from tests.support import free_port  # noqa: PLC0415

    notifier = SmtpNotifier(f"smtp://127.0.0.1:{free_port()}", "orders@shop.example", "Shop", 2)

    with pytest.raises(NotificationFailedError):
        await notifier.send(HELLO)
