"""The HTTP edge without servers: in-memory dependency checks stand in for the real ones."""

from collections.abc import Iterator

import pytest
from dependency_injector import providers
from litestar import Litestar, get
from litestar.testing import TestClient

from commerce.adapters.memory.health import InMemoryDependencyCheck
from commerce.container import build_container
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings


@pytest.fixture
def redis_check() -> InMemoryDependencyCheck:
    return InMemoryDependencyCheck("redis")


@pytest.fixture
def app(redis_check: InMemoryDependencyCheck) -> Litestar:
    container = build_container(Settings())
    checks = [InMemoryDependencyCheck("postgres"), redis_check]
    container.dependency_checks.override(providers.Object(checks))
    application = create_app(Settings(), container)

    @get("/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("SELECT secret FROM internal_table")

    application.register(boom)
    return application


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_liveness_answers_without_asking_any_dependency(
    client: TestClient[Litestar], redis_check: InMemoryDependencyCheck
) -> None:
    redis_check.up = False

    assert client.get("/health/live").json() == {"status": "ok"}


def test_readiness_is_200_with_each_dependency_up(client: TestClient[Litestar]) -> None:
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"postgres": "up", "redis": "up"}}


def test_readiness_is_a_503_problem_naming_the_dependency_that_is_down(
    client: TestClient[Litestar], redis_check: InMemoryDependencyCheck
) -> None:
    redis_check.up = False

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503
    assert body["detail"] == "not reachable: redis"
    assert body["checks"] == {"postgres": "up", "redis": "down"}


def test_an_unknown_path_is_a_404_problem(client: TestClient[Litestar]) -> None:
    response = client.get("/no/such/thing")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == "Not Found"
    assert body["status"] == 404
    assert body["detail"]


def test_a_wrong_method_is_a_405_problem(client: TestClient[Litestar]) -> None:
    response = client.post("/health/live")

    assert response.status_code == 405
    assert response.json()["title"] == "Method Not Allowed"


def test_an_unexpected_error_is_a_bare_500_that_leaks_nothing(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/boom")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text
    assert "SELECT secret" in caplog.text  # the operator still gets the whole story


def test_openapi_is_served_and_documents_the_health_routes(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()

    assert schema["openapi"].startswith("3.1")
    assert {"/health/live", "/health/ready"} <= set(schema["paths"])
    assert "/metrics" not in schema["paths"]


def test_metrics_are_exposed_in_prometheus_text_format(client: TestClient[Litestar]) -> None:
    client.get("/health/live")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert "commerce_requests_total" in response.text
