"""The stack's mail sink runs as the unprivileged service user, like the other servers, though
it is started by whoever runs the stack (root here: it drops to that user itself), and keeps
every mail it receives, as sent, in a file that user owns."""

from __future__ import annotations

import os
import pwd
import smtplib
from email.message import EmailMessage
from pathlib import Path

from devstack.layout import Layout
from tests.mail_sink import private_mail_sink


def expected_uid() -> int:
    run_as = Layout.from_environment().run_as
    return pwd.getpwnam(run_as).pw_uid if run_as is not None else os.getuid()


def test_the_sink_runs_as_the_service_user_and_keeps_a_utf8_mail_as_sent() -> None:
    mail = EmailMessage()
    mail["From"] = "shop@example.com"
    mail["To"] = "zoë@example.com"
    mail["Subject"] = "Your order — Zürich ✓"
    mail.set_content("Grüße ✓")

    with private_mail_sink() as sink:
        pid = sink.server.pid()
        assert pid is not None
        status = Path(f"/proc/{pid}/status").read_text()
        uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
        with smtplib.SMTP(sink.url.removeprefix("smtp://").split(":")[0], sink.server.port) as smtp:
            smtp.send_message(mail)
        (kept,) = sink.wait_for(1)
        (path,) = sink.server.inbox.glob("*.eml")

        assert {int(uid) for uid in uids} == {expected_uid()}
        assert path.stat().st_uid == expected_uid()
        assert kept["Subject"] == "Your order — Zürich ✓"
        assert kept.get_content().strip() == "Grüße ✓"
