"""Elasticsearch stops answering, frozen (a proxy in front of the real one accepts connections
and never answers) or stopped (the proxy cut: connections refused). A search answers 503 with
`Retry-After` within 2 s; after repeated failures the API stops asking (its circuit breaker
opens) and answers at once; once the server is back, one probe closes the breaker."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import msgspec
import pytest

from commerce.container import build_container, close
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.proxy import CuttableProxy, proxy_to
from tests.support import TEST_JWT_SECRET, bearer

FAILURES = 2  # the breaker's threshold in these tests
COOL_DOWN = 1.0
AT_ONCE = 0.1  # seconds: an answer that asked no server

Client = httpx.AsyncClient


@pytest.fixture
def proxy(stack_settings: Settings) -> Iterator[CuttableProxy]:
    with proxy_to(stack_settings.elasticsearch_url) as proxy:
        yield proxy


@pytest.fixture
async def client(
    stack_settings: Settings, database_url: str, proxy: CuttableProxy
) -> AsyncIterator[Client]:
    settings = msgspec.structs.replace(
        stack_settings,
        database_url=database_url,
        jwt_secret=TEST_JWT_SECRET,
        elasticsearch_url=proxy.url("http"),
        elasticsearch_breaker_failures=FAILURES,
        elasticsearch_breaker_cool_down=COOL_DOWN,
        index_prefix=f"test-stall-{uuid.uuid4().hex[:10]}",  # no index: an empty answer
    )
    container = build_container(settings)
    # The app in this event loop, so that requests sent together are served together.
    transport = httpx.ASGITransport(app=create_app(settings, container))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://shop") as client:
            yield client
    finally:
        await close(container)


async def timed(client: Client, path: str, **kwargs: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await client.get(path, **kwargs)
    return response, time.monotonic() - started


async def search(client: Client) -> tuple[httpx.Response, float]:
    return await timed(client, "/v1/products", params={"q": "kettle"})


def unavailable(response: httpx.Response) -> bool:
    return (
        response.status_code == 503
        and int(response.headers["retry-after"]) >= 1
        and "elasticsearch" in response.json()["detail"]
    )


async def open_breaker(client: Client) -> None:
    for _ in range(FAILURES):
        response, _ = await search(client)
        assert unavailable(response)


async def test_a_search_answers_503_with_retry_after_within_2_s_when_elasticsearch_freezes(
    client: Client, proxy: CuttableProxy
) -> None:
    assert (await search(client))[0].status_code == 200  # through the proxy, while it answers

    proxy.stall()
    response, waited = await search(client)

    assert unavailable(response)
    assert response.headers["content-type"] == "application/problem+json"
    assert waited < 2.0


async def test_once_open_the_breaker_answers_every_read_model_at_once_without_asking_the_server(
    client: Client, proxy: CuttableProxy
) -> None:
    customer = bearer("customer")
    # Warm what a signed-in request also asks (the revocation list), to time only the answer.
    assert (await client.get("/v1/orders", headers=customer)).status_code == 200
    assert (await client.get("/v1/admin/discounts", headers=bearer("operator"))).status_code == 200
    proxy.stall()
    await open_breaker(client)
    asked = proxy.accepted

    answers = [await search(client) for _ in range(5)]
    answers += [await timed(client, path, headers=customer) for path in ("/v1/orders", "/v1/cart")]
    staff = bearer("operator")
    answers += [
        await timed(client, path, headers=staff)
        for path in ("/v1/admin/discounts", "/v1/admin/promo-codes", "/v1/admin/promo-codes/X1")
    ]

    assert all(unavailable(response) for response, _ in answers)
    assert max(waited for _, waited in answers) < AT_ONCE
    assert proxy.accepted == asked


async def test_while_half_open_only_the_probe_waits_for_the_frozen_server(
    client: Client, proxy: CuttableProxy
) -> None:
    proxy.stall()
    await open_breaker(client)
    await asyncio.sleep(COOL_DOWN)
    asked = proxy.accepted

    answers = await asyncio.gather(*(search(client) for _ in range(6)))

    assert all(unavailable(response) for response, _ in answers)
    waits = sorted(waited for _, waited in answers)
    assert waits[-1] > 1.0  # the probe, cut at the request timeout
    assert waits[-2] < AT_ONCE  # everyone else
    assert proxy.accepted == asked + 1


async def test_when_the_frozen_server_answers_again_the_next_probe_closes_the_breaker(
    client: Client, proxy: CuttableProxy
) -> None:
    proxy.stall()
    await open_breaker(client)
    proxy.resume()
    assert unavailable((await search(client))[0])  # the cool-down is not over: not asked yet

    await asyncio.sleep(COOL_DOWN)

    assert (await search(client))[0].status_code == 200
    assert [(await search(client))[0].status_code for _ in range(3)] == [200, 200, 200]


async def test_a_stopped_server_fails_searches_fast_and_is_probed_again_once_it_is_back(
    client: Client, proxy: CuttableProxy
) -> None:
    proxy.cut()  # connections refused
    response, waited = await search(client)
    assert unavailable(response)
    assert waited < 2.0
    await open_breaker(client)

    proxy.start()
    asked = proxy.accepted
    response, waited = await search(client)
    assert unavailable(response)
    assert waited < AT_ONCE
    assert proxy.accepted == asked  # back, but not asked before the cool-down is over

    await asyncio.sleep(COOL_DOWN)
    assert [(await search(client))[0].status_code for _ in range(3)] == [200, 200, 200]


async def test_readiness_reports_the_server_itself_not_the_breaker(
    client: Client, proxy: CuttableProxy
) -> None:
    proxy.stall()
    frozen, waited = await timed(client, "/health/ready")
    await open_breaker(client)
    proxy.resume()
    response, _ = await search(client)
    back = await client.get("/health/ready")

    assert frozen.status_code == 503
    assert frozen.json()["checks"]["elasticsearch"] == "down"
    assert waited < 3.0  # COMMERCE_READINESS_TIMEOUT (2 s), as before the breaker
    assert unavailable(response)  # queries wait for their probe, after the cool-down
    assert back.json()["checks"]["elasticsearch"] == "up"
