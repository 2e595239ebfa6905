"""The stack the tests run in, seen through `python -m devstack status` and `env`, run from
the checkout as the Makefile runs them."""

import subprocess
import sys
from pathlib import Path

from commerce.settings import Settings

CHECKOUT = Path(__file__).resolve().parents[2]


def _devstack(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "devstack", *args],
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_status_reports_each_server_running_with_its_pid_or_as_external() -> None:
    result = _devstack("status")

    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()}
    assert set(lines) == {"postgres", "redis", "elasticsearch", "mail"}
    assert set(lines.values()) <= {"running", "external"}
    assert all("pid" in line for line in result.stdout.splitlines() if " running " in line)


def test_env_prints_the_urls_this_process_was_given(stack_settings: Settings) -> None:
    result = _devstack("env")

    assert result.returncode == 0, result.stderr
    assert f"export COMMERCE_REDIS_URL={stack_settings.redis_url}" in result.stdout
