"""The mail sink (`commerce.entrypoints.mail_sink`, aiosmtpd) from the checkout's virtualenv,
on its own loopback port; every email the service sends lands as an .eml file in its `inbox` folder.

It runs as the service user like the other servers, but is started as whoever runs the stack
and drops to that user itself once its modules are loaded: the virtualenv's Python is often where
the service user cannot reach it (pyenv under a closed /root)."""

from __future__ import annotations

import importlib.util
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from devstack import system
from devstack.server import Server
from devstack.system import StackError

PROGRAM = "commerce.entrypoints.mail_sink"


@dataclass
class MailServer(Server):
    name: ClassVar[str] = "mail"
    env_var: ClassVar[str] = "COMMERCE_SMTP_URL"
    as_service_user: ClassVar[bool] = False

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def inbox(self) -> Path:
        return self.directory / "inbox"

    @property
    def process_marker(self) -> str:
        return PROGRAM

    def notice(self) -> str:
        return f"the service's emails are kept in {self.inbox} (one .eml file each)"

    def install(self) -> None:
        if importlib.util.find_spec("aiosmtpd") is None:
            raise StackError("aiosmtpd is missing from the virtualenv: run `make install`")

    def prepare(self) -> None:
        system.make_owned_dir(self.layout, self.inbox)

    def command(self) -> tuple[list[str], Mapping[str, str]]:
        argv = [
            sys.executable,
            "-m",
            PROGRAM,
            "--port",
            str(self.port),
            "--folder",
            str(self.inbox),
        ]
        if self.layout.run_as is not None:
            argv += ["--user", self.layout.run_as]
        return argv, {}

    def is_ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                return connection.recv(64).startswith(b"220")
        except OSError:
            return False
