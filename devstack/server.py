"""What the stack knows of every server: install, prepare, start, check, stop."""

from __future__ import annotations

import signal
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from devstack import system
from devstack.layout import Layout


@dataclass
class Server(ABC):
    layout: Layout
    port: int

    name: ClassVar[str]
    env_var: ClassVar[str]  # the COMMERCE_* variable that points the service at this server
    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM
    # False for a program of the checkout's virtualenv, which the service user may not reach.
    as_service_user: ClassVar[bool] = True
    start_timeout: ClassVar[float] = 60

    @property
    @abstractmethod
    def url(self) -> str:
        """The URL the service uses to reach this server."""

    @property
    def directory(self) -> Path:
        return self.layout.service_dir(self.name)

    @property
    def log_file(self) -> Path:
        return self.directory / f"{self.name}.log"

    @property
    def _pid_file(self) -> Path:
        return self.directory / f"{self.name}.pid"

    @abstractmethod
    def install(self) -> None:
        """Make sure the server's binaries are on the machine."""

    @abstractmethod
    def prepare(self) -> None:
        """Create data and configuration under `directory` (idempotent)."""

    @abstractmethod
    def command(self) -> tuple[list[str], Mapping[str, str]]:
        """The argv and extra environment that start the server in the foreground."""

    @abstractmethod
    def is_ready(self) -> bool:
        """The server answers requests."""

    @property
    @abstractmethod
    def process_marker(self) -> str:
        """A string in the server process's command line, to tell it from a reused pid."""

    def notice(self) -> str | None:
        """What a developer should know of this server once the stack is up, if anything."""
        return None

    def after_start(self) -> None:  # noqa: B027 (optional hook, empty by default)
        """One-off set-up that needs the server running (a database to create, say)."""

    def pid(self) -> int | None:
        try:
            pid = int(self._pid_file.read_text())
        except (OSError, ValueError):
            return None
        return pid if system.process_alive(pid, self.process_marker) else None

    def start(self) -> None:
        self.install()
        system.make_owned_dir(self.layout, self.directory)
        self.prepare()
        argv, env = self.command()
        pid = system.spawn(
            self.layout,
            argv,
            self.log_file,
            cwd=self.directory,
            env=env,
            as_service_user=self.as_service_user,
        )
        self._pid_file.write_text(str(pid))
        try:
            system.wait_until(
                self.is_ready,
                self.start_timeout,
                f"{self.name} (log: {self.log_file})",
                alive=lambda: system.process_alive(pid, self.process_marker),
            )
        except system.StackError:
            self.stop()
            raise system.StackError(
                f"{self.name} failed to start; last lines of {self.log_file}:\n{self._log_tail()}"
            ) from None
        self.after_start()

    def stop(self) -> bool:
        """Stop the server this stack started (by its pid); False if it was not running."""
        pid = self.pid()
        self._pid_file.unlink(missing_ok=True)
        if pid is None:
            return False
        system.stop_group(pid, self.stop_signal, self.process_marker)
        return True

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"
