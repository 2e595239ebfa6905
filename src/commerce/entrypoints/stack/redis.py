"""Redis from Debian's `redis-server`, on its own loopback port with its data in its folder."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from commerce.entrypoints.stack import system
from commerce.entrypoints.stack.server import Server


@dataclass
class RedisServer(Server):
    name: ClassVar[str] = "redis"
    env_var: ClassVar[str] = "COMMERCE_REDIS_URL"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def process_marker(self) -> str:
        return "redis-server"

    def install(self) -> None:
        if system.which("redis-server") is None:
            system.apt_install(["redis-server"], "the Redis server")

    def prepare(self) -> None:
        system.make_owned_dir(self.layout, self.directory / "data")

    def command(self) -> tuple[list[str], Mapping[str, str]]:
        binary = system.which("redis-server") or "/usr/bin/redis-server"
        # Redis only carries messages and short-lived keys; the outbox in PostgreSQL is the
        # source of truth, so Redis keeps no snapshot of its own.
        return [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory / "data"),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ], {}

    def is_ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False
