"""End-to-end tests run the real API process (`commerce serve`) over real HTTP."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import free_port


@pytest.fixture(scope="session")
def api_url(database_url: str) -> Iterator[str]:
    port = free_port()
    env = os.environ | {"COMMERCE_DATABASE_URL": database_url, "COMMERCE_LOG_LEVEL": "WARNING"}
    commerce = Path(sys.executable).with_name("commerce")
    process = subprocess.Popen([str(commerce), "serve", "--port", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/health/live", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the API exited with {process.returncode} while starting")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the API did not answer {url} within {timeout} s")
