"""Edges of the HTTP layer that need no server: OPTIONS and bodies nested too deeply."""

from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings


@pytest.fixture
def client() -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(Settings()), raise_server_exceptions=False) as test_client:
        yield test_client


def test_options_lists_every_method_of_a_path_with_several(
    client: TestClient[Litestar],
) -> None:
    response = client.options("/v1/accounts/me")

    assert response.status_code == 204
    assert response.headers["allow"] == "GET, OPTIONS, PATCH"


@pytest.mark.parametrize("path", ["/v1/accounts", "/v1/auth/token"])
def test_a_body_nested_deeper_than_the_decoder_goes_is_a_400_problem(
    client: TestClient[Litestar], path: str
) -> None:
    body = b'{"email": "ada@example.com", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"

    response = client.post(path, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The JSON body is nested too deeply."
