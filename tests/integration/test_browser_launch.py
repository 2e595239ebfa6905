"""The browser tests' Chromium runs like the stack's servers: as the stack's unprivileged user,
with its sandbox on, and gone (process and folder) once the tests are done with it, even when
the test process is killed."""

import os
import pwd
import signal
import subprocess
import sys
import time
from pathlib import Path

from devstack import system
from devstack.browser import ChromiumServer, running_chromium
from devstack.layout import Layout
from tests.browser import chromium


def chromium_pids(marker: str) -> list[int]:
    """Every process (the browser, its zygotes, renderers) started with this profile."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and system.process_alive(int(entry.name), marker):
            found.append(int(entry.name))
    return found


def owner(pid: int) -> str:
    return pwd.getpwuid(Path(f"/proc/{pid}").stat().st_uid).pw_name


def gone_within(seconds: float, marker: str) -> bool:
    deadline = time.monotonic() + seconds
    while chromium_pids(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not chromium_pids(marker)


def test_the_browser_tests_chromium_is_sandboxed_and_not_root() -> None:
    with chromium() as browser:
        page = browser.new_context().new_page()
        page.goto("chrome://sandbox")
        status = page.inner_text("body")
        layout = Layout.from_environment()
        users = {owner(pid) for pid in chromium_pids(str(layout.service_dir("chromium")))}
    assert "You are adequately sandboxed." in status, status
    expected = layout.run_as or pwd.getpwuid(os.geteuid()).pw_name
    assert users == {expected}


def test_chromium_leaves_no_process_and_no_folder_when_its_block_fails() -> None:
    try:
        with running_chromium() as server:
            marker, folder = server.process_marker, server.directory
            assert chromium_pids(marker)
            raise RuntimeError("a failing test")
    except RuntimeError:
        pass
    assert gone_within(10, marker)
    assert not folder.exists()


def test_a_killed_test_process_takes_its_chromium_along_and_the_next_run_tidies_up() -> None:
    script = (
        "import sys, time\n"
        "from devstack.browser import running_chromium\n"
        "with running_chromium() as server:\n"
        "    print(server.session, flush=True)\n"
        "    time.sleep(120)\n"
    )
    test_process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=Path(__file__).parents[2]
    )
    assert test_process.stdout is not None
    session = test_process.stdout.readline().decode().strip()
    left = ChromiumServer(Layout.from_environment(), 0, session=session)
    assert chromium_pids(left.process_marker)

    test_process.send_signal(signal.SIGKILL)  # no `finally` runs
    test_process.wait()

    assert gone_within(10, left.process_marker)
    with running_chromium():
        assert not left.directory.exists()
