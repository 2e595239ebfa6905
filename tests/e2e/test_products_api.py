"""Search and browse through the running API, over the real Elasticsearch."""

import httpx


def test_a_search_with_a_typo_and_no_accents_finds_the_product_with_highlights(
    api_url: str,
) -> None:
    response = httpx.get(f"{api_url}/v1/products", params={"q": "cafe grindr"})

    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["name"] == "Café crème grinder"
    assert item["highlight"]["name"] == "<em>Café</em> crème <em>grinder</em>"
    assert item["price"] == {"amount": 3000, "currency": "EUR"}


def test_browsing_a_category_with_facets_and_pages(api_url: str) -> None:
    first = httpx.get(
        f"{api_url}/v1/products", params={"category": "electronics", "limit": 1}
    ).json()
    second = httpx.get(
        f"{api_url}/v1/products",
        params={"category": "electronics", "limit": 1, "cursor": first["next_cursor"]},
    ).json()

    assert first["total"] == {"value": 2, "relation": "eq"}
    names = [item["name"] for item in first["items"] + second["items"]]
    assert names == ["Phone case", "Smart television"]  # newest first
    assert second["next_cursor"] is None
    assert {"value": "Acme", "count": 1} in first["facets"]["brand"]
    assert first["facets"]["attributes"]["color"] == [
        {"value": "black", "count": 1},
        {"value": "blue", "count": 1},
    ]


def test_filters_by_attribute_stock_and_price(api_url: str) -> None:
    response = httpx.get(
        f"{api_url}/v1/products?attr.color=black&in_stock=true&price_max=4500&sort=price_asc"
    )

    assert [item["name"] for item in response.json()["items"]] == [
        "Café crème grinder",
        "Smart television",
    ]


def test_archived_products_are_not_found_anywhere(api_url: str) -> None:
    assert httpx.get(f"{api_url}/v1/products", params={"q": "archived"}).json()["items"] == []
    assert httpx.get(f"{api_url}/v1/products/suggest", params={"q": "archiv"}).json() == []


def test_detail_and_suggestions(api_url: str) -> None:
    (suggestion,) = httpx.get(f"{api_url}/v1/products/suggest", params={"q": "televsion"}).json()

    detail = httpx.get(f"{api_url}/v1/products/{suggestion['id']}")

    assert detail.status_code == 200
    assert detail.json()["name"] == "Smart television"
    assert detail.json()["in_stock"] is True
    missing = httpx.get(f"{api_url}/v1/products/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_bad_parameters_are_422_problems_naming_the_field(api_url: str) -> None:
    for query, field in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("rating_min=7", "rating_min"),
        ("price_min=9&price_max=1", "price_min"),
        ("cursor=zzz", "cursor"),
        ("sort=random", "sort"),
    ]:
        response = httpx.get(f"{api_url}/v1/products?{query}")
        assert response.status_code == 422, query
        assert response.json()["errors"][0]["field"] == field
