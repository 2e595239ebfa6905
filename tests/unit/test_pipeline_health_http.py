"""`/health/pipeline`: whether a relay and a worker are alive, for an operator's alert."""

from collections.abc import Iterator

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.health import InMemoryDependencyCheck, InMemoryPipelineLiveness
from commerce.container import build_container
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings


@pytest.fixture
def liveness() -> InMemoryPipelineLiveness:
    return InMemoryPipelineLiveness()


@pytest.fixture
def client(liveness: InMemoryPipelineLiveness) -> Iterator[TestClient[Litestar]]:
    container = build_container(Settings())
    container.pipeline_liveness.override(providers.Object(liveness))
    container.dependency_checks.override(providers.Object([InMemoryDependencyCheck("postgres")]))
    with TestClient(create_app(Settings(), container)) as test_client:
        yield test_client


def test_the_pipeline_is_alive_while_a_relay_and_a_worker_beat(
    client: TestClient[Litestar],
) -> None:
    response = client.get("/health/pipeline")

    assert response.status_code == 200
    assert response.json() == {"status": "alive", "processes": {"relay": 1, "worker": 1}}


def test_a_dead_worker_makes_the_pipeline_a_503_problem_but_leaves_the_api_ready(
    client: TestClient[Litestar], liveness: InMemoryPipelineLiveness
) -> None:
    liveness.worker = 0

    response = client.get("/health/pipeline")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "none alive: worker"
    assert response.json()["processes"] == {"relay": 1, "worker": 0}
    assert client.get("/health/ready").status_code == 200
