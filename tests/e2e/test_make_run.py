"""The README's first command, as a new user runs it: `make run` on a state folder that has
never been used serves the demo catalogue, says where the service's emails land, and Ctrl-C
leaves no server behind, nor anything of its servers outside its state folder."""

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.system import remove_service_user
from tests.support import free_port

CHECKOUT = Path(__file__).resolve().parents[2]
SERVERS = ("postgres", "redis", "elasticsearch", "mail")


@pytest.fixture
def state_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: its parent is closed to the unprivileged user the servers run as.
    folder = Path(tempfile.mkdtemp(prefix="commerce-make-run-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
    remove_service_user(_service_user(folder))


def _service_user(state_dir: Path) -> str:
    """A service user that does not exist yet, so `make run` creates it as on a new machine."""
    return f"commerce-run-{state_dir.name[-8:].lower()}"


def test_make_run_serves_the_demo_catalogue_and_ctrl_c_stops_every_server(
    state_dir: Path,
) -> None:
    api_port = free_port()
    log = state_dir / "make-run.log"
    server_pids: list[int] = []
    with log.open("wb") as output:
        make = subprocess.Popen(
            ["make", "run"],
            cwd=CHECKOUT,
            env=_new_users_environment(state_dir, api_port),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal's foreground job
        )
    try:
        api = f"http://127.0.0.1:{api_port}"
        ready = _wait_for(lambda: _status(f"{api}/health/ready") == 200, 300, make, log)
        assert ready, f"/health/ready never answered 200:\n{_tail(log)}"
        products = _wait_for(lambda: bool(_items(f"{api}/v1/products")), 120, make, log)
        assert products, f"the demo catalogue never became searchable:\n{_tail(log)}"
        first = _items(f"{api}/v1/products")[0]
        word = first["name"].split()[0]
        assert _items(f"{api}/v1/products?q={word}"), f"a search for {word!r} found nothing"
        picture = httpx.get(first["image"], timeout=10)
        assert picture.status_code == 200, f"{first['image']} answered {picture.status_code}"
        assert picture.headers["content-type"].startswith("image/svg+xml")
        shop = httpx.get(f"{api}/?q={word}", timeout=10)
        assert shop.status_code == 200
        assert f'src="{api}/static/demo/' in shop.text, "the shop's cards have no demo picture"
        server_pids = [_pid(state_dir, name) for name in SERVERS]
        inbox = state_dir / "mail" / "inbox"
        assert f"emails are kept in {inbox}" in log.read_text(), _tail(log)

        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group gets it
        make.wait(timeout=120)
    finally:
        outlived = _group_alive(make.pid)
        still_running = [pid for pid in server_pids if _alive(pid)]
        _kill_leftovers(make, still_running)

    assert not outlived, "a process of `make run` outlived Ctrl-C"
    assert not still_running, f"servers still running after Ctrl-C: {still_running}"
    assert _status(f"{api}/health/live") is None, "the API still answers after Ctrl-C"
    left = _left_in_temporary_folder(state_dir)
    assert not left, f"the servers left these in {tempfile.gettempdir()}: {left}"


def _new_users_environment(state_dir: Path, api_port: int) -> dict[str, str]:
    """This machine's environment without anything of the test run's own stack or make."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("COMMERCE_") and name not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }
    ports = {f"COMMERCE_STACK_{name.upper()}_PORT": str(free_port()) for name in SERVERS}
    return (
        env
        | ports
        | {
            "COMMERCE_STACK_DIR": str(state_dir),
            "COMMERCE_STACK_USER": _service_user(state_dir),
            "COMMERCE_PORT": str(api_port),
        }
    )


def _wait_for(condition: object, timeout: float, make: subprocess.Popen[bytes], log: Path) -> bool:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if make.poll() is not None:
            pytest.fail(f"`make run` exited with {make.returncode}:\n{_tail(log)}")
        time.sleep(1)
    return False


def _status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.HTTPError:
        return None


def _items(url: str) -> list[dict[str, str]]:
    try:
        response = httpx.get(url, timeout=10)
    except httpx.HTTPError:
        return []
    items: list[dict[str, str]] = response.json().get("items", []) if response.is_success else []
    return items


def _left_in_temporary_folder(state_dir: Path) -> list[str]:
    """What the servers, run as a user made for this run (as root), left in the temporary
    folder besides their state folder. Not root, they ran as this process's own user, whose
    files there cannot be told from theirs: nothing to look for."""
    user = _service_user(state_dir)
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return []
    return sorted(
        entry.name
        for entry in Path(tempfile.gettempdir()).iterdir()
        if (entry.lstat().st_uid == uid or entry.name == f"hsperfdata_{user}")
        and entry != state_dir
    )


def _pid(state_dir: Path, server: str) -> int:
    return int((state_dir / server / f"{server}.pid").read_text())


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill_leftovers(make: subprocess.Popen[bytes], servers: list[int]) -> None:
    """Whatever happened above, leave nothing running on the machine."""
    for pgid in (make.pid, *servers):  # each server leads a process group of its own
        if _group_alive(pgid):
            os.killpg(pgid, signal.SIGKILL)
    make.wait()


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
