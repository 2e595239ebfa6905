"""The mail sink: `commerce mail-sink` (aiosmtpd) from the checkout's virtualenv, on its own
loopback port; every email the service sends lands as an .eml file in its `inbox` folder."""

from __future__ import annotations

import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from devstack import system
from devstack.server import Server
from devstack.system import StackError


@dataclass
class MailServer(Server):
    name: ClassVar[str] = "mail"
    env_var: ClassVar[str] = "COMMERCE_SMTP_URL"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def inbox(self) -> Path:
        return self.directory / "inbox"

    @property
    def process_marker(self) -> str:
        return "mail-sink"

    @property
    def _program(self) -> Path:
        return Path(sys.executable).parent / "commerce"

    def notice(self) -> str:
        return f"the service's emails are kept in {self.inbox} (one .eml file each)"

    def install(self) -> None:
        if not self._program.exists():
            raise StackError(f"{self._program} is missing: run `make install`")

    def prepare(self) -> None:
        system.make_owned_dir(self.layout, self.inbox)

    def command(self) -> tuple[list[str], Mapping[str, str]]:
        port, inbox = str(self.port), str(self.inbox)
        return [str(self._program), "mail-sink", "--port", port, "--folder", inbox], {}

    def is_ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                return connection.recv(64).startswith(b"220")
        except OSError:
            return False
