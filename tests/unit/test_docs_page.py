"""The interactive docs at `/schema` work on a closed network: every asset is the service's own."""

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.container import build_container
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings

CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(Settings(), build_container(Settings()))) as test_client:
        yield test_client


def referenced(page: str) -> list[str]:
    return re.findall(r"""(?:src|href|data-[a-z-]+-url)=["']([^"']+)["']""", page)


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_the_docs_page_refers_to_nothing_outside_the_service(
    client: TestClient[Litestar], path: str
) -> None:
    page = client.get(path)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"//[a-z0-9.-]+\.[a-z]", page.text, re.IGNORECASE)  # no host named
    urls = referenced(page.text)
    assert urls
    assert all(url.startswith("/schema/") for url in urls)


def test_every_asset_of_the_docs_page_is_served_with_its_content_type(
    client: TestClient[Litestar],
) -> None:
    urls = referenced(client.get("/schema").text)

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        extension = re.search(r"\.[a-z]+(?=$|\?)", url)
        if extension and extension.group() in CONTENT_TYPES:
            assert response.headers["content-type"].startswith(CONTENT_TYPES[extension.group()])
    assert {".js", ".css"} <= {m.group() for u in urls if (m := re.search(r"\.[a-z]+", u))}
    assert client.get("/schema/openapi.json").json()["openapi"].startswith("3.1")
