"""`/health/ready` against the real servers, and what it says when one of them goes away."""

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from devstack.redis import RedisServer
from tests.support import free_port


def ready(settings: Settings) -> TestClient[Litestar]:
    return TestClient(create_app(settings))


def test_ready_with_postgres_redis_and_elasticsearch_all_up(stack_settings: Settings) -> None:
    with ready(stack_settings) as client:
        response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["checks"] == {"postgres": "up", "redis": "up", "elasticsearch": "up"}


def test_stopping_redis_turns_readiness_into_a_503_naming_redis(
    stack_settings: Settings, own_redis: RedisServer
) -> None:
    settings = msgspec.structs.replace(stack_settings, redis_url=own_redis.url)
    with ready(settings) as client:
        assert client.get("/health/ready").status_code == 200

        assert own_redis.stop()
        response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "not reachable: redis"
    assert response.json()["checks"] == {"postgres": "up", "redis": "down", "elasticsearch": "up"}


@pytest.mark.parametrize(
    ("setting", "url", "name"),
    [
        ("database_url", "postgresql://commerce:commerce@127.0.0.1:{port}/commerce", "postgres"),
        ("elasticsearch_url", "http://127.0.0.1:{port}", "elasticsearch"),
    ],
)
def test_an_unreachable_server_is_named_in_the_503(
    stack_settings: Settings, setting: str, url: str, name: str
) -> None:
    settings = msgspec.structs.replace(stack_settings, **{setting: url.format(port=free_port())})
    with ready(settings) as client:
        response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["detail"] == f"not reachable: {name}"
