"""A mail server for development and tests, `python -m commerce.entrypoints.mail_sink --folder
DIR [--host H] [--port P]`: it accepts every message and writes it, exactly as received, to
`<folder>/<time>-<id>.eml`; it never delivers anything. `make run` and the tests start it
through the local stack (devstack/mail.py), docker-compose as its `mail` service. A module of
its own, not a `commerce` command: it starts in a fraction of the time without the service's
imports.

Started by root (the local stack as root), it drops to the unprivileged user `--user` names as
soon as its modules are loaded and its folder exists: the interpreter may live where that user
cannot read (pyenv under a closed /root), so every import happens first.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures.thread  # noqa: F401 (loaded lazily by to_thread, after the drop)
import encodings.idna  # noqa: F401 (loaded lazily by socket's name lookups, after the drop)
import os
import pwd
import signal
import time
import uuid
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session


class EmlFolder:
    """aiosmtpd's handler: each accepted message becomes one file, written whole (under a
    temporary name, then renamed) so a reader never sees half a message."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        await asyncio.to_thread(self.keep, envelope.original_content or b"")
        return "250 Message accepted for delivery"

    def keep(self, content: bytes) -> None:
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        partial = self.folder / f".{name}.partial"
        partial.write_bytes(content)
        os.replace(partial, self.folder / name)


async def serve(host: str, port: int, folder: Path) -> None:
    """Until SIGINT or SIGTERM; `folder` exists."""
    loop = asyncio.get_running_loop()
    handler = EmlFolder(folder)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="mail-sink", enable_SMTPUTF8=True), host, port
    )
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"mail sink on {host}:{port}, writing to {folder}", flush=True)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()


def drop_privileges(user: str, folder: Path) -> None:
    """Run on as `user`, with its group and no supplementary groups, owning `folder`."""
    entry = pwd.getpwnam(user)
    os.chown(folder, entry.pw_uid, entry.pw_gid)
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Keep every email received as an .eml file.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=51025)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--user", help="the unprivileged user to run as, when started by root")
    options = parser.parse_args(argv)
    options.folder.mkdir(parents=True, exist_ok=True)
    if options.user is not None and os.geteuid() == 0:
        drop_privileges(options.user, options.folder)
    asyncio.run(serve(options.host, options.port, options.folder))


if __name__ == "__main__":
    main()
