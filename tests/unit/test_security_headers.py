"""The headers a careful API sends on every response, errors included. No server: the bearer
check runs against the in-memory revocations."""

from collections.abc import Iterator

import pytest
from dependency_injector import providers
from litestar import Litestar, Response, get
from litestar.testing import TestClient

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.revocations import InMemoryTokenRevocations
from commerce.container import build_container
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.support import TEST_JWT_SECRET, bearer

SETTINGS = Settings(jwt_secret=TEST_JWT_SECRET)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    container = build_container(SETTINGS)
    container.token_revocations.override(
        providers.Singleton(InMemoryTokenRevocations, FixedClock(), 900)
    )
    app = create_app(SETTINGS, container)

    @get("/cacheable", include_in_schema=False)
    async def cacheable() -> Response[str]:
        return Response("public", headers={"Cache-Control": "public, max-age=60"})

    app.register(cacheable)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/health/live", {}, 200),
        ("/no/such/path", {}, 404),
        ("/v1/accounts/me", {"Authorization": "Bearer not-a-token"}, 401),
        ("/schema/openapi.json", {}, 200),
    ],
)
def test_every_response_forbids_sniffing_framing_and_referrers(
    client: TestClient[Litestar], path: str, headers: dict[str, str], status: int
) -> None:
    response = client.get(path, headers=headers)

    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_api_responses_may_load_nothing_at_all(client: TestClient[Litestar]) -> None:
    response = client.get("/health/live")

    assert response.headers["content-security-policy"].startswith("default-src 'none';")


def test_the_docs_page_may_run_scripts_from_the_service_only(client: TestClient[Litestar]) -> None:
    policy = client.get("/schema").headers["content-security-policy"]

    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"


def test_a_signed_in_response_is_never_stored_by_a_cache(client: TestClient[Litestar]) -> None:
    anonymous = client.get("/cacheable")
    signed_in = client.get("/cacheable", headers=bearer("customer"))
    refused = client.get("/v1/accounts/me", headers={"Authorization": "Bearer not-a-token"})

    assert anonymous.headers["cache-control"] == "public, max-age=60"  # the route's own choice
    assert signed_in.headers["cache-control"] == "no-store"
    assert refused.headers["cache-control"] == "no-store"


def test_a_response_that_says_nothing_about_caching_is_not_stored(
    client: TestClient[Litestar],
) -> None:
    # Personal data also goes to callers without a token (a sign-up answers with the account).
    assert client.get("/health/live").headers["cache-control"] == "no-store"
