"""Signed-in requests and sign-ins when Redis (revocations, sign-in throttle) stops answering
or restarts: a quick 503 that says when to retry, never a 500, never a request let through."""

import time
import uuid
from collections.abc import Iterator

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.entrypoints.http.app import create_app
from commerce.entrypoints.stack.redis import RedisServer
from commerce.settings import Settings
from tests.support import TEST_JWT_SECRET, frozen

PASSWORD = "correct horse battery"
# The Redis client's bound on one command (1 s), and room for a busy machine.
ANSWER_WITHIN = 2.5


@pytest.fixture
def client(
    stack_settings: Settings, database_url: str, own_redis: RedisServer
) -> Iterator[TestClient[Litestar]]:
    settings = msgspec.structs.replace(
        stack_settings,
        database_url=database_url,
        redis_url=own_redis.url,
        jwt_secret=TEST_JWT_SECRET,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


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


def test_a_signed_in_request_is_a_quick_503_not_let_through_while_redis_is_frozen(
    client: TestClient[Litestar], own_redis: RedisServer
) -> None:
    _, headers = signed_up(client)

    with frozen(own_redis):
        started = time.monotonic()
        response = client.get("/v1/accounts/me", headers=headers)
        elapsed = time.monotonic() - started

    # Whether the token was revoked cannot be told: refused (fail closed), and quickly.
    assert_quick_503(response, elapsed)
    assert "redis" in response.json()["detail"]
    assert client.get("/v1/accounts/me", headers=headers).status_code == 200


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
