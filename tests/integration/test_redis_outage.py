"""Signed-in requests and sign-ins when Redis (revocation cache, sign-in throttle) stops
answering or restarts: revocations are checked against PostgreSQL, sign-ins get a quick 503
that says when to retry; never a 500, never a revoked token let through."""

import shutil
import time
import uuid
from collections.abc import Iterator

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from devstack.redis import RedisServer
from tests.support import TEST_JWT_SECRET, free_port, frozen

PASSWORD = "correct horse battery"
# The Redis client's bound on one command (1 s), and room for a busy machine.
ANSWER_WITHIN = 2.5


@pytest.fixture
def client(
    stack_settings: Settings, database_url: str, own_redis: RedisServer
) -> Iterator[TestClient[Litestar]]:
    with TestClient(
        create_app(settings_for(stack_settings, database_url, own_redis))
    ) as test_client:
        yield test_client


def settings_for(base: Settings, database_url: str, redis: RedisServer) -> Settings:
    return msgspec.structs.replace(
        base, database_url=database_url, redis_url=redis.url, jwt_secret=TEST_JWT_SECRET
    )


def signed_up(client: TestClient[Litestar]) -> tuple[str, dict[str, str]]:
    email = f"ada-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": PASSWORD, "name": "Ada"}
    assert client.post("/v1/accounts", json=body).status_code == 201
    token = client.post("/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return email, {"Authorization": f"Bearer {token.json()['access_token']}"}


def assert_quick_503(response: httpx.Response, elapsed: float) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert elapsed < ANSWER_WITHIN


def test_while_redis_is_frozen_tokens_are_checked_against_postgres_quickly(
    client: TestClient[Litestar], own_redis: RedisServer
) -> None:
    """PostgreSQL is the record of revocations; Redis only caches it (ADR 0007)."""
    _, headers = signed_up(client)
    _, signed_out = signed_up(client)
    assert client.post("/v1/auth/logout", headers=signed_out).status_code == 204

    with frozen(own_redis):
        started = time.monotonic()
        served = client.get("/v1/accounts/me", headers=headers)
        refused = client.get("/v1/accounts/me", headers=signed_out)
        elapsed = time.monotonic() - started

    assert served.status_code == 200
    assert refused.status_code == 401
    assert elapsed < 2 * ANSWER_WITHIN


def test_a_token_that_neither_redis_nor_postgres_can_check_is_a_quick_503(
    stack_settings: Settings, database_url: str, own_redis: RedisServer
) -> None:
    """Fail closed: whether the token was revoked cannot be told, so it is not let through."""
    with TestClient(create_app(settings_for(stack_settings, database_url, own_redis))) as client:
        _, headers = signed_up(client)
    unreachable = f"postgresql://commerce:commerce@127.0.0.1:{free_port()}/commerce"
    settings = settings_for(stack_settings, unreachable, own_redis)
    with frozen(own_redis), TestClient(create_app(settings)) as client:
        started = time.monotonic()
        response = client.get("/v1/accounts/me", headers=headers)
        elapsed = time.monotonic() - started

    assert_quick_503(response, elapsed)


def test_signing_in_is_a_quick_503_while_redis_is_frozen(
    client: TestClient[Litestar], own_redis: RedisServer
) -> None:
    email, _ = signed_up(client)

    with frozen(own_redis):
        started = time.monotonic()
        response = client.post("/v1/auth/token", json={"email": email, "password": PASSWORD})
        elapsed = time.monotonic() - started

    assert_quick_503(response, elapsed)
    assert "access_token" not in response.text


def test_the_first_request_after_redis_restarts_is_answered(
    client: TestClient[Litestar], own_redis: RedisServer
) -> None:
    _, headers = signed_up(client)  # leaves a pooled connection to the old process

    own_redis.stop()
    own_redis.start()

    assert client.get("/v1/accounts/me", headers=headers).status_code == 200


def test_a_signed_out_token_stays_refused_after_redis_restarts_without_its_data(
    client: TestClient[Litestar], own_redis: RedisServer
) -> None:
    _, signed_out = signed_up(client)
    _, still_in = signed_up(client)
    assert client.post("/v1/auth/logout", headers=signed_out).status_code == 204

    own_redis.stop()
    shutil.rmtree(own_redis.directory / "data")  # a new machine, a flush, no AOF: all gone
    own_redis.start()

    assert client.get("/v1/accounts/me", headers=signed_out).status_code == 401
    assert client.get("/v1/accounts/me", headers=still_in).status_code == 200
