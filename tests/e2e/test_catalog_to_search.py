"""The first path through every layer, as separate processes over real HTTP: a staff command
writes PostgreSQL and the outbox, the relay hands the events to Redis, the worker projects
them into Elasticsearch, and the shopper's search finds the change."""

import uuid
from typing import Any

import httpx
import pytest

from tests.support import bearer

OPERATOR = bearer("operator")
STOCK = bearer("stock_operator")


@pytest.fixture
def http(api_url: str) -> httpx.Client:
    return httpx.Client(base_url=api_url, timeout=10)


def create_product(http: httpx.Client, name: str, sku: str) -> httpx.Response:
    body: dict[str, Any] = {
        "name": name,
        "description": "Grinds beans evenly for espresso and filter.",
        "brand": "Zassenhaus",
        "category": "kitchen/coffee",
        "attributes": {"material": "wood"},
        "variants": [{"sku": sku, "price": {"amount": 8900, "currency": "EUR"}}],
    }
    response = http.post("/v1/admin/products", json=body, headers=OPERATOR)
    assert response.status_code == 201, response.text
    return response


def search(http: httpx.Client, token: str, **params: Any) -> httpx.Response:
    response = http.get("/v1/products", params=params, headers={"Consistency-Token": token})
    assert response.headers.get("consistency") != "stale", "the read model did not catch up"
    return response


def test_a_created_product_is_found_by_the_next_search_that_sends_its_token(
    http: httpx.Client,
) -> None:
    word = f"grinder{uuid.uuid4().hex[:6]}"
    created = create_product(http, f"Manual {word}", f"GR-{uuid.uuid4().hex[:8]}")

    found = search(http, created.headers["consistency-token"], q=word)

    assert found.status_code == 200
    assert "consistency" not in found.headers
    assert [item["id"] for item in found.json()["items"]] == [created.json()["id"]]
    assert found.json()["items"][0]["price"] == {"amount": 8900, "currency": "EUR"}


def test_stock_set_to_zero_takes_the_product_out_of_in_stock_results(
    http: httpx.Client,
) -> None:
    word = f"mill{uuid.uuid4().hex[:6]}"
    sku = f"GR-{uuid.uuid4().hex[:8]}"
    product_id = create_product(http, f"Coffee {word}", sku).json()["id"]
    stocked = http.put(f"/v1/admin/inventory/{sku}", json={"on_hand": 4}, headers=STOCK)

    in_stock = search(http, stocked.headers["consistency-token"], q=word, in_stock="true")
    emptied = http.put(f"/v1/admin/inventory/{sku}", json={"on_hand": 0}, headers=STOCK)
    after = search(http, emptied.headers["consistency-token"], q=word, in_stock="true")
    out_of_stock = search(http, emptied.headers["consistency-token"], q=word, in_stock="false")

    assert [i["id"] for i in in_stock.json()["items"]] == [product_id]
    assert after.json()["items"] == []
    assert [i["id"] for i in out_of_stock.json()["items"]] == [product_id]
    assert out_of_stock.json()["items"][0]["in_stock"] is False


def test_an_archived_product_leaves_search_and_its_detail_is_404(http: httpx.Client) -> None:
    word = f"burr{uuid.uuid4().hex[:6]}"
    product_id = create_product(http, f"Burr {word}", f"GR-{uuid.uuid4().hex[:8]}").json()["id"]

    archived = http.post(f"/v1/admin/products/{product_id}/archive", headers=OPERATOR)
    token = archived.headers["consistency-token"]

    assert search(http, token, q=word).json()["items"] == []
    detail = http.get(f"/v1/products/{product_id}", headers={"Consistency-Token": token})
    assert detail.status_code == 404


def test_a_repricing_shows_in_the_detail_read_after_the_write(http: httpx.Client) -> None:
    sku = f"GR-{uuid.uuid4().hex[:8]}"
    created = create_product(http, "Hand grinder", sku)
    product_id = created.json()["id"]

    changed = http.patch(
        f"/v1/admin/products/{product_id}",
        json={"variants": [{"sku": sku, "price": {"amount": 7500, "currency": "EUR"}}]},
        headers=OPERATOR | {"If-Match": created.headers["etag"]},
    )
    detail = http.get(
        f"/v1/products/{product_id}",
        headers={"Consistency-Token": changed.headers["consistency-token"]},
    )

    assert detail.status_code == 200
    assert detail.json()["price"] == {"amount": 7500, "currency": "EUR"}


def test_the_detail_names_the_version_an_edit_needs_and_an_edit_from_a_stale_read_is_refused(
    http: httpx.Client,
) -> None:
    sku = f"GR-{uuid.uuid4().hex[:8]}"
    created = create_product(http, "Burr grinder", sku)
    url = f"/v1/products/{created.json()['id']}"
    read = http.get(url, headers={"Consistency-Token": created.headers["consistency-token"]})
    price = {"variants": [{"sku": sku, "price": {"amount": 6900, "currency": "EUR"}}]}

    edited = http.patch(
        url.replace("/v1/", "/v1/admin/"),
        json=price,
        headers=OPERATOR | {"If-Match": read.headers["etag"]},
    )
    reread = http.get(url, headers={"Consistency-Token": edited.headers["consistency-token"]})
    stale = http.patch(
        url.replace("/v1/", "/v1/admin/"),
        json=price,
        headers=OPERATOR | {"If-Match": read.headers["etag"]},
    )

    assert read.headers["etag"] == created.headers["etag"]
    assert edited.status_code == 200, edited.text
    assert reread.headers["etag"] == edited.headers["etag"] != read.headers["etag"]
    assert stale.status_code == 412
