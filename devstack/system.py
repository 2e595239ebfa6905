"""The few system operations the stack needs: packages, the server user, processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from devstack.layout import Layout


class StackError(RuntimeError):
    """Something the operator has to fix; the message says what."""


def apt_install(packages: Sequence[str], why: str) -> None:
    """Install Debian packages when running as root; otherwise say exactly what is missing."""
    if os.geteuid() != 0:
        raise StackError(f"{why} is missing: run `sudo apt-get install {' '.join(packages)}`")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    print(f"stack: installing {' '.join(packages)} from Debian's packages", flush=True)
    apt = ["apt-get", "-q", "-y", "-o", "Dpkg::Use-Pty=0"]
    installed = subprocess.run(
        [*apt, "install", "--no-install-recommends", *packages], env=env, check=False
    )
    if installed.returncode != 0:
        # A fresh machine has no package lists yet.
        subprocess.run([*apt, "update"], env=env, check=True)
        subprocess.run([*apt, "install", "--no-install-recommends", *packages], env=env, check=True)


def ensure_service_user(layout: Layout) -> None:
    if layout.run_as is None:
        return
    if not _user_exists(layout.run_as):
        subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                layout.run_as,
            ],
            check=True,
        )


def remove_service_user(name: str) -> None:
    """Delete a service user (and its group) the stack created, if it exists."""
    if os.geteuid() == 0 and _user_exists(name):
        subprocess.run(["userdel", name], check=True, capture_output=True)


def _user_exists(name: str) -> bool:
    return subprocess.run(["id", "-u", name], capture_output=True, check=False).returncode == 0


def make_owned_dir(layout: Layout, path: Path, mode: int = 0o755) -> Path:
    """Create `path` (and its parents) and hand the folder itself to the server user. Only the
    folder: a running server's data folder changes under a walk (a dropped database's files
    vanish), and what a server writes inside is its own already."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(mode)
    if ids := layout.owner_ids():
        os.chown(path, *ids, follow_symlinks=False)
    return path


def hand_over_tree(layout: Layout, path: Path) -> None:
    """Give a tree the stack itself just wrote (a server's configuration, say) to the server
    user, every file and folder in it. Never for a folder a running server writes to."""
    ids = layout.owner_ids()
    if ids is None:
        return
    for root, dirs, files in os.walk(path):
        for name in (root, *(os.path.join(root, entry) for entry in dirs + files)):
            os.chown(name, *ids, follow_symlinks=False)


def spawn(
    layout: Layout,
    argv: Sequence[str],
    log: Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    *,
    as_service_user: bool = True,
) -> int:
    """Start a server in its own session (so its whole process group can be stopped) as the
    unprivileged user, with no supplementary groups inherited from root (or, when not
    `as_service_user`, as the caller)."""
    ids = layout.owner_ids() if as_service_user else None
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**_base_env(), **(env or {})},
            start_new_session=True,
            user=ids[0] if ids else None,
            group=ids[1] if ids else None,
            extra_groups=[] if ids else None,
        )
    return process.pid


def _base_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    return {name: os.environ[name] for name in keep if name in os.environ}


def process_alive(pid: int, expect: str) -> bool:
    """True if `pid` runs and is ours: its command line mentions `expect` (pids get reused)."""
    for _ in range(20):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            return False
        # Just started, a process may not show its command line yet for a moment (measured
        # with a Python server polled right after it was spawned).
        if cmdline or state == "Z":
            break
        time.sleep(0.005)
    return state != "Z" and expect.encode() in cmdline


def stop_group(pid: int, sig: signal.Signals, expect: str, timeout: float = 60) -> None:
    """Signal the process group we started, wait for its leader to exit, kill it if it won't."""
    for current in (sig, signal.SIGKILL):
        try:
            os.killpg(pid, current)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not process_alive(pid, expect):
                _reap(pid)
                return
            time.sleep(0.1)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def wait_until(
    ready: Callable[[], bool], timeout: float, what: str, alive: Callable[[], bool]
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if not alive():
            raise StackError(f"{what} exited while starting")
        time.sleep(0.25)
    raise StackError(f"{what} did not become ready within {timeout:.0f} s")


def tcp_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def which(binary: str) -> str | None:
    return shutil.which(binary)
