"""The notifier on an SMTP server, with the standard library's `smtplib` in a thread.

`smtplib` rather than `aiosmtplib`: it is kept with Python itself (security fixes come with
every Python release, no single maintainer), it already has the timeouts and TLS we need, and a
worker sends a few messages per batch from a thread pool that Dramatiq gives it anyway; a
connection per message keeps no state between sends that a dead server could spoil.
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from urllib.parse import unquote, urlsplit

from commerce.ports.notifier import Email, NotificationFailedError


class SmtpNotifier:
    def __init__(self, url: str, sender: str, sender_name: str, timeout: float) -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._tls = parts.scheme == "smtps"
        self._port = parts.port or (465 if self._tls else 25)
        self._login = (
            (unquote(parts.username), unquote(parts.password or "")) if parts.username else None
        )
        self._sender = sender
        self._sender_name = sender_name
        self._domain = sender.rpartition("@")[2]
        self._timeout = timeout

    async def send(self, email: Email) -> None:
        message = self._message(email)
        try:
            await asyncio.to_thread(self._deliver, message)
        except (smtplib.SMTPException, OSError) as error:
            where = f"{self._host}:{self._port}"
            raise NotificationFailedError(f"the mail server at {where}: {error}") from error

    def _message(self, email: Email) -> EmailMessage:
        message = EmailMessage()
        message["From"] = formataddr((self._sender_name, self._sender))
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = f"<{email.message_id}@{self._domain}>"
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        return message

    def _deliver(self, message: EmailMessage) -> None:
        connect = smtplib.SMTP_SSL if self._tls else smtplib.SMTP
        with connect(self._host, self._port, timeout=self._timeout) as server:
            if self._login is not None:
                server.login(*self._login)
            server.send_message(message)
