"""PostgreSQL from Debian's server binaries, in a cluster of its own on a loopback port."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from devstack import system
from devstack.server import Server

USER = PASSWORD = DATABASE = "commerce"  # noqa: S105 (a loopback-only development server)


@dataclass
class PostgresServer(Server):
    name: ClassVar[str] = "postgres"
    env_var: ClassVar[str] = "COMMERCE_DATABASE_URL"
    # SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
    stop_signal: ClassVar[signal.Signals] = signal.SIGINT

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def process_marker(self) -> str:
        return str(self._data)

    @property
    def _data(self) -> Path:
        return self.directory / "data"

    @property
    def _socket_dir(self) -> Path:
        return self.directory / "run"

    def install(self) -> None:
        if _bin_dir() is None:
            _disable_debian_default_cluster()
            system.apt_install(["postgresql"], "the PostgreSQL server")

    def prepare(self) -> None:
        system.make_owned_dir(self.layout, self._socket_dir)
        if (self._data / "PG_VERSION").exists():
            return
        password_file = self.directory / "password"
        password_file.write_text(PASSWORD)
        system.make_owned_dir(self.layout, self._data, mode=0o700)
        system.make_owned_dir(self.layout, self.directory)
        self._as_server_user(
            [
                str(_bin("initdb")),
                "-D",
                str(self._data),
                "-U",
                USER,
                f"--pwfile={password_file}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        password_file.unlink()

    def command(self) -> tuple[list[str], Mapping[str, str]]:
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self._socket_dir),
            "max_connections": "200",
        }
        argv = [str(_bin("postgres")), "-D", str(self._data), "-p", str(self.port)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        return argv, {}

    def is_ready(self) -> bool:
        probe = [str(_bin("pg_isready")), "-q", "-h", str(self._socket_dir), "-p", str(self.port)]
        return subprocess.run(probe, check=False).returncode == 0

    def after_start(self) -> None:
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")  # noqa: S608
        if exists.strip() != "1":
            self._psql(f"CREATE DATABASE {DATABASE}")

    def _psql(self, sql: str) -> str:
        return self._as_server_user(
            [
                str(_bin("psql")),
                "-h",
                str(self._socket_dir),
                "-p",
                str(self.port),
                "-U",
                USER,
                "-d",
                "postgres",
                "-tA",
                "-c",
                sql,
            ]
        )

    def _as_server_user(self, argv: list[str]) -> str:
        ids = self.layout.owner_ids()
        done = subprocess.run(
            argv,
            check=False,
            cwd=self.directory,
            capture_output=True,
            text=True,
            user=ids[0] if ids else None,
            group=ids[1] if ids else None,
            extra_groups=[] if ids else None,
        )
        if done.returncode != 0:
            raise system.StackError(f"{Path(argv[0]).name} failed: {done.stderr.strip()}")
        return done.stdout


def _bin_dir() -> Path | None:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3])
    )
    return candidates[-1].parent if candidates else None


def _bin(name: str) -> Path:
    directory = _bin_dir()
    if directory is None:
        raise system.StackError("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return directory / name


def _disable_debian_default_cluster() -> None:
    # Debian's package would otherwise create and start a "main" cluster on port 5432.
    conf = Path("/etc/postgresql-common/createcluster.conf")
    conf.parent.mkdir(parents=True, exist_ok=True)
    if "create_main_cluster = false" not in (conf.read_text() if conf.exists() else ""):
        with conf.open("a") as handle:
            handle.write("\ncreate_main_cluster = false\n")
