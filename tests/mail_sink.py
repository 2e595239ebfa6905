"""Mail servers of a test's own: the stack's mail sink (devstack/mail.py, as `make run` starts
it) whose .eml files the test reads, and one that refuses every message."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from devstack import system
from devstack.layout import Layout
from devstack.mail import MailServer
from tests.support import free_port


class MailSink:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """The mails received so far (to `to` only, if given), oldest first."""
        parser = BytesParser(policy=policy.default)
        found = [
            parser.parsebytes(path.read_bytes()) for path in sorted(self.server.inbox.glob("*.eml"))
        ]
        mails = [m for m in found if isinstance(m, EmailMessage)]
        return [m for m in mails if to is None or m["To"] == to]

    def wait_for(
        self, count: int, to: str | None = None, seconds: float = 10
    ) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds
        while len(mails := self.messages(to)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return mails


@contextmanager
def private_mail_sink() -> Iterator[MailSink]:
    # Not pytest's tmp_path: its parent is closed to the unprivileged user the sink runs as.
    folder = Path(tempfile.mkdtemp(prefix="commerce-test-mail-"))
    layout = Layout(folder, folder, Layout.from_environment().run_as)
    system.ensure_service_user(layout)
    system.make_owned_dir(layout, folder)
    server = MailServer(layout, free_port())
    server.start()
    try:
        yield MailSink(server)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


class _Refuse:
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        return "554 5.7.1 Message refused"


@contextmanager
def refusing_smtp_server() -> Iterator[str]:
    """A real SMTP server that refuses every message; yields its URL."""
    port = free_port()
    controller = Controller(_Refuse(), hostname="127.0.0.1", port=port)
    controller.start()  # type: ignore[no-untyped-call]
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()  # type: ignore[no-untyped-call]
