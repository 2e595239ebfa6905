"""Which address the sign-in throttle counts, with the service run as `commerce serve` runs it
(uvicorn's proxy-header handling configured from the settings). No server: in-memory twins."""

from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from dependency_injector import providers

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.login_throttle import InMemoryLoginThrottle
from commerce.adapters.memory.passwords import InMemoryPasswordHasher
from commerce.container import build_container
from commerce.entrypoints.api_server import forwarded_for_options
from commerce.entrypoints.http.app import create_app
from commerce.ports.auth import ThrottlePolicy
from commerce.settings import Settings

PEER = "127.0.0.1"  # the address the connection comes from (uvicorn trusts it by default)
POLICY = ThrottlePolicy(failures_per_email=100, failures_per_client=2)


async def served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    container = build_container(settings)
    container.login_throttle.override(
        providers.Singleton(InMemoryLoginThrottle, FixedClock(), POLICY)
    )
    container.password_hasher.override(providers.Singleton(InMemoryPasswordHasher))
    config = uvicorn.Config(
        create_app(settings, container), log_config=None, **forwarded_for_options(settings)
    )
    config.load()
    transport = httpx.ASGITransport(app=config.loaded_app, client=(PEER, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


@pytest.fixture
async def by_default() -> AsyncIterator[httpx.AsyncClient]:
    async for client in served(Settings()):
        yield client


@pytest.fixture
async def behind_a_proxy() -> AsyncIterator[httpx.AsyncClient]:
    async for client in served(Settings(trusted_proxies=f"10.9.0.0/16, {PEER}")):
        yield client


async def wrong_password(client: httpx.AsyncClient, forwarded_for: str) -> int:
    # Not an email anybody can have: refused without asking the database.
    body = {"email": "not an email", "password": "wrong password"}
    response = await client.post(
        "/v1/auth/token", json=body, headers={"X-Forwarded-For": forwarded_for}
    )
    return response.status_code


async def test_by_default_a_client_cannot_pick_the_address_the_throttle_counts(
    by_default: httpx.AsyncClient,
) -> None:
    statuses = [await wrong_password(by_default, f"203.0.113.{n}") for n in range(3)]

    assert statuses == [401, 401, 429]


async def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_on_its_own(
    behind_a_proxy: httpx.AsyncClient,
) -> None:
    first = [await wrong_password(behind_a_proxy, "203.0.113.1") for _ in range(3)]
    second = await wrong_password(behind_a_proxy, "203.0.113.2")

    assert first == [401, 401, 429]
    assert second == 401
