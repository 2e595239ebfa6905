"""A server a request needs cannot answer: one 503 problem, whichever port or middleware
found out, naming the server and nothing of why."""

from collections.abc import Awaitable, Callable, Iterator
from typing import Any, NoReturn

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.container import Container
from commerce.entrypoints.http.app import create_app
from commerce.ports.health import DependencyUnavailableError
from tests.support import bearer, container_without_servers

INTERNALS = "connection refused by 10.0.0.7:9200"


class Unavailable:
    """Stands in for any port whose server stopped answering: every call fails."""

    def __init__(self, dependency: str, retry_after: float | None = None) -> None:
        self.dependency = dependency
        self.retry_after = retry_after

    def __getattr__(self, _: str) -> Callable[..., Awaitable[NoReturn]]:
        async def fail(*_: Any, **__: Any) -> NoReturn:
            raise DependencyUnavailableError(
                self.dependency, INTERNALS, self.retry_after
            ) from OSError(INTERNALS)

        return fail


@pytest.fixture
def container() -> Container:
    return container_without_servers()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Litestar]]:
    """Requested before `caplog`: the app's logging set-up replaces the root handlers."""
    app = create_app(container.settings(), container)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def customer() -> dict[str, str]:
    return bearer("customer")


@pytest.mark.parametrize(
    ("port", "dependency", "path"),
    [
        ("product_search", "elasticsearch", "/v1/products"),
        ("order_views", "elasticsearch", "/v1/orders"),
        ("cart_views", "elasticsearch", "/v1/cart"),
        ("promotion_views", "elasticsearch", "/v1/admin/discounts"),
        ("promotion_views", "elasticsearch", "/v1/admin/promo-codes/SUMMER10"),
        ("account_profiles", "postgres", "/v1/accounts/me"),
    ],
)
def test_a_route_whose_server_is_down_answers_a_503_naming_it_with_retry_after(
    client: TestClient[Litestar],
    container: Container,
    customer: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    port: str,
    dependency: str,
    path: str,
) -> None:
    getattr(container, port).override(providers.Object(Unavailable(dependency)))
    caller = bearer("operator") if path.startswith("/v1/admin/") else customer

    response = client.get(path, headers=caller)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    problem = response.json()
    assert problem["status"] == 503
    assert problem["title"] == "Service Unavailable"
    assert dependency in problem["detail"]
    assert "10.0.0.7" not in response.text
    assert INTERNALS in caplog.text  # the operator still learns why


@pytest.mark.parametrize(("retry_after", "header"), [(3.2, "4"), (0.3, "1")])
def test_a_503_says_when_the_server_will_be_asked_again_when_that_is_known(
    client: TestClient[Litestar], container: Container, retry_after: float, header: str
) -> None:
    """A circuit breaker knows when it lets the next request through to the server."""
    unavailable = Unavailable("elasticsearch", retry_after)
    container.product_search.override(providers.Object(unavailable))

    response = client.get("/v1/products")

    assert response.status_code == 503
    assert response.headers["retry-after"] == header


def test_a_server_down_for_the_bearer_token_middleware_is_a_503_too(
    client: TestClient[Litestar], container: Container, customer: dict[str, str]
) -> None:
    """The revocation list is checked before any route runs, on every signed-in request."""
    container.token_revocations.override(providers.Object(Unavailable("redis")))

    response = client.get("/v1/products", headers=customer)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert "redis" in response.json()["detail"]
    assert "10.0.0.7" not in response.text
