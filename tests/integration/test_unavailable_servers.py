"""Elasticsearch stops answering (a proxy in front of the real one stalls): the API's queries
answer a 503 within seconds, not after minutes of waiting and retrying."""

import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.elasticsearch.client import REQUEST_TIMEOUT_S
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.proxy import CuttableProxy


@pytest.fixture
def proxy(stack_settings: Settings) -> Iterator[CuttableProxy]:
    target = urlsplit(stack_settings.elasticsearch_url)
    proxy = CuttableProxy(target.hostname or "127.0.0.1", target.port or 9200)
    proxy.start()
    yield proxy
    proxy.cut()


@pytest.fixture
def client(stack_settings: Settings, proxy: CuttableProxy) -> Iterator[TestClient[Litestar]]:
    settings = msgspec.structs.replace(
        stack_settings,
        elasticsearch_url=proxy.url("http"),
        index_prefix=f"test-stall-{uuid.uuid4().hex[:10]}",  # no index: an empty answer
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_a_search_answers_503_within_seconds_when_elasticsearch_hangs(
    client: TestClient[Litestar], proxy: CuttableProxy
) -> None:
    assert client.get("/v1/products").status_code == 200  # through the proxy, while it answers

    proxy.stall()
    started = time.monotonic()
    response = client.get("/v1/products", params={"q": "kettle"})
    waited = time.monotonic() - started

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "elasticsearch" in response.json()["detail"]
    assert waited < REQUEST_TIMEOUT_S + 2
