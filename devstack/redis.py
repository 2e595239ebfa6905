"""Redis from Debian's `redis-server`, on its own loopback port with its data in its folder."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from devstack import system
from devstack.server import Server

PERSISTENCE = ("--save", "", "--appendonly", "yes", "--appendfsync", "no")


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
        # An append-only file, written at every command and flushed to disk when the kernel
        # chooses: a crash or restart of Redis keeps the queues, receipts and sign-in counters
        # (they are in the page cache), so it costs no redrive storm; no fsync, because an
        # fsync that waits on a busy disk stalls Redis for everyone. It is not the safety net:
        # whatever Redis loses anyway, the relay sends again from the outbox (docs/adr/0007).
        return [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory / "data"),
            *PERSISTENCE,
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
