"""Search and browse over HTTP, with the in-memory product search standing in for
Elasticsearch: the shapes of API.md and a 422 naming the field for every bad parameter."""

from collections.abc import Iterator

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.product_search import InMemoryProductSearch
from commerce.container import build_container
from commerce.domain.catalog import Product
from commerce.entrypoints.http.app import create_app
from commerce.ports.health import DependencyUnavailableError
from commerce.ports.product_search import ProductQuery, SearchResult
from commerce.settings import Settings
from tests.product_events import a_product, changes, stock_of
from tests.support import NOW


@pytest.fixture
def search() -> InMemoryProductSearch:
    return InMemoryProductSearch()


@pytest.fixture
def client(search: InMemoryProductSearch) -> Iterator[TestClient[Litestar]]:
    container = build_container(Settings())
    container.product_search.override(providers.Object(search))
    with TestClient(create_app(Settings(), container), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def kettle(search: InMemoryProductSearch) -> Product:
    product, events = a_product(
        "Stainless steel kettle",
        brand="Acme",
        category="kitchen/kettles",
        variants=[("K-1", 2999, {"color": "red"})],
    )
    _, stock = stock_of(product, "K-1", on_hand=3)
    search.project([*events, *stock])
    for n in range(3):
        search.project(a_product(f"Pan {n}", brand="Forge", category="kitchen/pans")[1])
    return product


def test_the_listing_has_the_documented_envelope_items_and_facets(
    client: TestClient[Litestar], kettle: Product
) -> None:
    response = client.get("/v1/products", params={"q": "kettel", "limit": 1})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "total", "next_cursor", "facets"}
    assert body["total"] == {"value": 1, "relation": "eq"}
    assert body["next_cursor"] is None
    (item,) = body["items"]
    assert item == {
        "id": str(kettle.id),
        "name": "Stainless steel kettle",
        "brand": "Acme",
        "category": "kitchen/kettles",
        "image": "https://img.example/p.jpg",
        "price": {"amount": 2999, "currency": "EUR"},
        "sale_price": None,
        "on_sale": False,
        "in_stock": True,
        "rating": {"average": 0.0, "count": 0},
        "variants": [
            {
                "sku": "K-1",
                "price": {"amount": 2999, "currency": "EUR"},
                "attributes": {"color": "red"},
                "in_stock": True,
                "sale_price": None,
            }
        ],
        "highlight": {"name": "Stainless steel <em>kettle</em>"},
    }
    assert set(body["facets"]) == {"brand", "category", "price", "rating", "attributes"}
    assert body["facets"]["price"][0] == {"from": 0, "to": 1000, "count": 0}
    assert body["facets"]["attributes"] == {"color": [{"value": "red", "count": 1}]}


def test_filters_and_paging_come_from_the_query_string(
    client: TestClient[Litestar], kettle: Product
) -> None:
    first = client.get("/v1/products?brand=Forge&category=kitchen&limit=2&sort=price_asc").json()
    second = client.get(
        "/v1/products",
        params={"brand": "Forge", "limit": 2, "sort": "price_asc", "cursor": first["next_cursor"]},
    ).json()
    by_attribute = client.get("/v1/products?attr.color=red&in_stock=true").json()

    assert [item["brand"] for item in first["items"] + second["items"]] == ["Forge"] * 3
    assert second["next_cursor"] is None
    assert "highlight" not in first["items"][0]
    assert [item["id"] for item in by_attribute["items"]] == [str(kettle.id)]
    assert client.get("/v1/products?attr.color=blue").json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("rating_min=0", "rating_min"),
        ("rating_min=6", "rating_min"),
        ("rating_min=nan", "rating_min"),
        ("price_min=-1", "price_min"),
        ("price_min=500&price_max=100", "price_min"),
        ("cursor=not-a-cursor", "cursor"),
        ("sort=cheapest", "sort"),
        ("in_stock=maybe", "in_stock"),
        (f"q={'x' * 201}", "q"),
        (f"attr.color={'x' * 201}", "attr.color"),
        ("attr.=red", "attr."),
        ("&".join(f"brand=b{n}" for n in range(21)), "brand"),
        (f"category={'x' * 201}", "category"),
    ],
)
def test_a_bad_parameter_is_a_422_problem_naming_the_field(
    client: TestClient[Litestar], query: str, field: str
) -> None:
    response = client.get(f"/v1/products?{query}")

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_cursor_of_another_sort_is_a_422(client: TestClient[Litestar], kettle: Product) -> None:
    cursor = client.get("/v1/products?limit=1&sort=price_desc").json()["next_cursor"]

    response = client.get("/v1/products", params={"limit": 1, "cursor": cursor})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def test_the_detail_of_a_product_and_a_404_once_archived(
    client: TestClient[Litestar], search: InMemoryProductSearch, kettle: Product
) -> None:
    detail = client.get(f"/v1/products/{kettle.id}")
    assert detail.status_code == 200
    assert detail.json()["description"] == "Made to last."
    assert detail.json()["variants"][0]["in_stock"] is True

    kettle.archive(NOW)
    search.project(changes(kettle))

    gone = client.get(f"/v1/products/{kettle.id}")
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/products/00000000-0000-0000-0000-000000000000").status_code == 404


def test_suggestions_return_at_most_eight_completions(
    client: TestClient[Litestar], search: InMemoryProductSearch, kettle: Product
) -> None:
    for n in range(10):
        search.project(a_product(f"Kettle {n}")[1])

    kett = client.get("/v1/products/suggest", params={"q": "kett"})
    ketl = client.get("/v1/products/suggest", params={"q": "ketl"})

    assert kett.status_code == 200
    assert len(kett.json()) == 8
    assert set(kett.json()[0]) == {"id", "name", "brand", "image"}
    assert len(ketl.json()) == 8
    assert client.get("/v1/products/suggest", params={"q": " "}).json() == []
    assert client.get("/v1/products/suggest").json() == []
    assert client.get("/v1/products/suggest", params={"q": "k" * 201}).status_code == 422


class DownSearch(InMemoryProductSearch):
    async def search(self, query: ProductQuery) -> SearchResult:
        raise DependencyUnavailableError("elasticsearch", "unreachable")


def test_search_being_down_is_a_503_with_retry_after() -> None:
    container = build_container(Settings())
    container.product_search.override(providers.Object(DownSearch()))
    with TestClient(create_app(Settings(), container), raise_server_exceptions=False) as client:
        response = client.get("/v1/products")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"].startswith("application/problem+json")
