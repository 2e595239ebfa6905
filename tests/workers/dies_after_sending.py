"""The crash case: run the worker's email step on the events in argv[1] (JSON), on the database
and mail server the environment names, and die (SIGKILL-like, no clean-up at all) the moment
the mail server has accepted a message: before the sent-log can say so."""

import asyncio
import os
import sys

import msgspec

from commerce.adapters.notify.smtp import SmtpNotifier
from commerce.adapters.postgres.engine import create_engine
from commerce.application.notifications import notify
from commerce.domain.events import EventEnvelope
from commerce.ports.notifier import Email
from tests.emails import STORE, mailroom

EXIT_AFTER_SENDING = 17


class DiesAfterSending(SmtpNotifier):
    async def send(self, email: Email) -> None:
        await super().send(email)
        os._exit(EXIT_AFTER_SENDING)


async def main() -> None:
    envelopes = msgspec.json.decode(sys.argv[1], type=list[EventEnvelope])
    engine = create_engine(os.environ["COMMERCE_DATABASE_URL"])
    smtp_url = os.environ["COMMERCE_SMTP_URL"]
    notifier = DiesAfterSending(smtp_url, "orders@kettle.example", STORE, 5)
    await notify(envelopes, mailroom(engine, smtp_url, notifier))


if __name__ == "__main__":
    asyncio.run(main())
