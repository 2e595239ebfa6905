"""Bring the stack up and down, report on it, and run a command inside it."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from urllib.parse import urlsplit

from devstack import system
from devstack.elasticsearch import ElasticsearchServer
from devstack.layout import SERVICE_USER, Layout, port_from_env
from devstack.mail import MailServer
from devstack.postgres import PostgresServer
from devstack.redis import RedisServer
from devstack.server import Server

DEFAULT_PORTS = {"postgres": 55432, "redis": 56379, "elasticsearch": 59200, "mail": 51025}
SERVER_KINDS: dict[str, type[Server]] = {
    "postgres": PostgresServer,
    "redis": RedisServer,
    "elasticsearch": ElasticsearchServer,
    "mail": MailServer,
}


@contextmanager
def fresh_state() -> Iterator[str]:
    """A state folder that has never been used, free ports and (as root) a service user that
    does not exist yet, for one run: the first-run path (creating the user and the folders,
    unpacking Elasticsearch, a new cluster) is taken every time, and the servers of `make run`
    or of another run are neither reused nor disturbed. The folder and the user are removed
    afterwards; only downloads (the Elasticsearch zip) stay in the cache. Servers the
    environment names (`COMMERCE_DATABASE_URL`, ... as `devstack env` exports them) are left
    out for the run: they would be used instead of fresh ones. Yields the folder."""
    folder = tempfile.mkdtemp(prefix="commerce-stack-")
    user = f"{SERVICE_USER}-{os.path.basename(folder)[-8:].lower()}"
    overrides: dict[str, str | None] = {"COMMERCE_STACK_DIR": folder, "COMMERCE_STACK_USER": user}
    overrides |= {
        f"COMMERCE_STACK_{name.upper()}_PORT": str(system.free_port()) for name in DEFAULT_PORTS
    }
    overrides |= {kind.env_var: None for kind in SERVER_KINDS.values()}
    saved = {name: os.environ.get(name) for name in overrides}
    _set_environment(overrides)
    try:
        yield folder
    finally:
        _set_environment(saved)
        shutil.rmtree(folder, ignore_errors=True)
        system.remove_service_user(user)


def _set_environment(values: dict[str, str | None]) -> None:
    """Each variable to its value; None unsets it."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@dataclass(frozen=True)
class Status:
    name: str
    env_var: str
    url: str
    state: str  # "running", "stopped" or "external"
    pid: int | None = None


class Stack:
    def __init__(self, layout: Layout | None = None) -> None:
        self.layout = layout or Layout.from_environment()
        self.servers: list[Server] = [
            kind(self.layout, port_from_env(name, DEFAULT_PORTS[name]))
            for name, kind in SERVER_KINDS.items()
        ]

    def up(self) -> list[Server]:
        """Start every server that is neither running nor provided from outside; return the
        ones this call started."""
        started: list[Server] = []
        with self._lock():
            system.ensure_service_user(self.layout)
            system.make_owned_dir(self.layout, self.layout.state_dir)
            for server in self.servers:
                if _external_url(server) is not None or server.pid() is not None:
                    continue
                print(f"stack: starting {server.name} on port {server.port}", flush=True)
                try:
                    server.start()
                except BaseException:
                    _stop_all(started)
                    raise
                started.append(server)
        return started

    def down(self, servers: Sequence[Server] | None = None) -> list[str]:
        with self._lock():
            return [s.name for s in reversed(servers or self.servers) if s.stop()]

    def status(self) -> list[Status]:
        return [_status(server) for server in self.servers]

    def environment(self) -> dict[str, str]:
        return {server.env_var: _external_url(server) or server.url for server in self.servers}

    def run(self, command: Sequence[str]) -> int:
        """Run `command` with the stack up and its URLs in the environment; then stop exactly
        what this call started, also when the command fails or is interrupted."""
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        started: list[Server] = []
        try:
            started = self.up()
            for server in self.servers:
                if _external_url(server) is None and (notice := server.notice()):
                    print(f"stack: {notice}", flush=True)
            child = subprocess.Popen(list(command), env=os.environ | self.environment())
            return _wait_for_child(child)
        except KeyboardInterrupt:
            return 130
        finally:
            signal.signal(signal.SIGTERM, previous)
            if started:
                print(f"stack: stopping {', '.join(s.name for s in started)}", flush=True)
                self.down(started)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.layout.state_dir.mkdir(parents=True, exist_ok=True)
        with (self.layout.state_dir / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield


def _external_url(server: Server) -> str | None:
    """The operator's own server for this role, if the environment names one other than ours.
    It must answer: silently starting ours instead would hide a misconfiguration."""
    url = os.environ.get(server.env_var)
    if not url or url == server.url:
        return None
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or _default_port(parts.scheme)
    if not system.tcp_reachable(host, port):
        raise system.StackError(
            f"{server.env_var} points at {host}:{port}, which does not answer; "
            "start that server or unset the variable to let the stack run its own"
        )
    return url


def _default_port(scheme: str) -> int:
    defaults = {"redis": 6379, "rediss": 6379, "http": 80, "https": 443, "smtp": 25, "smtps": 465}
    return defaults.get(scheme, 5432)


def _status(server: Server) -> Status:
    if (url := os.environ.get(server.env_var)) and url != server.url:
        return Status(server.name, server.env_var, url, "external")
    pid = server.pid()
    return Status(server.name, server.env_var, server.url, "running" if pid else "stopped", pid)


def _wait_for_child(child: subprocess.Popen[bytes]) -> int:
    try:
        return child.wait()
    except KeyboardInterrupt:
        # Ctrl-C reached the child too: give it time to shut down cleanly before the stack
        # goes away under it; a SIGTERM sent to us alone is passed on.
        for escalate in (None, child.terminate, child.kill):
            if escalate is not None:
                escalate()
            try:
                return child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                continue
        return child.wait()


def _stop_all(servers: Sequence[Server]) -> None:
    for server in reversed(servers):
        server.stop()


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
