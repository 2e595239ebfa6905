"""End-to-end tests run the real API process (`commerce serve`) over real HTTP."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from commerce.settings import Settings
from projections.products import products_projection
from tests.product_events import sample_catalog_events
from tests.support import free_port


@pytest.fixture(scope="session")
def index_prefix(stack_settings: Settings) -> Iterator[str]:
    """Read models of this session's own, with a few products so searches return items."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    projection = products_projection(prefix)
    projection.ensure_index(client)
    projection.project(client, sample_catalog_events())
    client.indices.refresh(index=projection.alias)
    yield prefix
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture(scope="session")
def api_url(database_url: str, index_prefix: str) -> Iterator[str]:
    port = free_port()
    env = os.environ | {
        "COMMERCE_DATABASE_URL": database_url,
        "COMMERCE_INDEX_PREFIX": index_prefix,
        "COMMERCE_LOG_LEVEL": "WARNING",
    }
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
