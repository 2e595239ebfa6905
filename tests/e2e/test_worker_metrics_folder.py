"""A worker writes its processes' metrics to a folder of its own in the temporary folder; once
it stops, the folder is gone, so restarts (a supervisor's, or every test run's) leave nothing
behind."""

import shutil
import tempfile
import time
from pathlib import Path

import httpx

from commerce.settings import Settings
from tests.e2e.conftest import running_service

PREFIX = "commerce-worker-metrics-"


def test_a_stopped_worker_leaves_no_metrics_folder_behind(stack_settings: Settings) -> None:
    temporary = Path(tempfile.mkdtemp(prefix="commerce-tmp-"))
    try:
        with running_service(
            stack_settings, redis_db=10, relay=False, environment={"TMPDIR": str(temporary)}
        ) as service:
            assert _serves(service.worker_metrics), "the worker never served its metrics"
            assert list(temporary.glob(f"{PREFIX}*")), "the worker wrote its metrics elsewhere"
        # running_service stops its processes (SIGTERM) and waits for them on leaving.
        assert not list(temporary.glob(f"{PREFIX}*"))
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _serves(url: str, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    return False
