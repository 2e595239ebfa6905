"""Staff run sales over HTTP (`/v1/admin/discounts`): create, list, read, end early, delete;
the wrong caller is turned away and a bad body is a 422 naming the field. The app runs on the
in-memory twins."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.projection_progress import InMemoryProjectionProgress
from commerce.adapters.memory.revocations import InMemoryTokenRevocations
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.container import build_container
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.support import NOW, TEST_JWT_SECRET, PromotionsOfStore, bearer

SETTINGS = Settings(jwt_secret=TEST_JWT_SECRET)
STAFF = bearer("operator")
URL = "/v1/admin/discounts"


class Shop:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.store = InMemoryStore()
        self.promotions = PromotionsOfStore(self.store)


@pytest.fixture
def shop() -> Shop:
    return Shop()


@pytest.fixture
def client(shop: Shop) -> Iterator[TestClient[Litestar]]:
    container = build_container(SETTINGS)
    for provider, twin in {
        container.uow: lambda: InMemoryUnitOfWork(shop.store, shop.clock),
        container.clock: lambda: shop.clock,
        container.promotion_views: lambda: shop.promotions,
        container.token_revocations: lambda: InMemoryTokenRevocations(
            shop.clock, SETTINGS.access_token_ttl
        ),
        container.projection_progress: InMemoryProjectionProgress,
    }.items():
        provider.override(providers.Factory(twin))
    with TestClient(create_app(SETTINGS, container), raise_server_exceptions=False) as test_client:
        yield test_client


def at(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def a_sale_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Winter sale",
        "percent_off": 15,
        "applies_to": {"categories": ["kitchen"], "brands": ["Acme"]},
        "starts_at": at(1),
        "ends_at": at(48),
    }
    return body | changes


def created(client: TestClient[Litestar], **changes: Any) -> dict[str, Any]:
    response = client.post(URL, json=a_sale_body(**changes), headers=STAFF)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_operator_creates_a_sale_and_reads_it_back_scheduled(
    client: TestClient[Litestar],
) -> None:
    product = str(uuid.uuid4())
    response = client.post(
        URL,
        json=a_sale_body(applies_to={"product_ids": [product, product]}),
        headers=STAFF,
    )

    assert response.status_code == 201, response.text
    sale = response.json()
    assert response.headers["location"] == f"{URL}/{sale['id']}"
    assert response.headers["etag"] == '"1"'
    assert "consistency-token" in response.headers
    assert sale | {"id": None} == {
        "id": None,
        "name": "Winter sale",
        "percent_off": 15,
        "amount_off": None,
        "applies_to": {"product_ids": [product], "categories": [], "brands": []},
        "starts_at": at(1),
        "ends_at": at(48),
        "status": "scheduled",
        "ended_early": False,
        "created_at": at(0),
        "version": 1,
    }
    assert client.get(f"{URL}/{sale['id']}", headers=STAFF).json() == sale


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", ""), ("GET", ""), ("GET", "/{id}"), ("POST", "/{id}/end"), ("DELETE", "/{id}")],
)
def test_only_staff_who_run_the_catalogue_may_touch_sales(
    client: TestClient[Litestar], method: str, path: str
) -> None:
    url = URL + path.format(id=uuid.uuid4())
    body = a_sale_body() if method == "POST" and not path else None

    anonymous = client.request(method, url, json=body)
    customer = client.request(method, url, json=body, headers=bearer("customer"))
    stock_operator = client.request(method, url, json=body, headers=bearer("stock_operator"))

    assert [anonymous.status_code, customer.status_code, stock_operator.status_code] == [
        401,
        403,
        403,
    ]
    assert client.request(method, url, json=body, headers=bearer("admin")).status_code in (
        200,
        201,
        404,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent_off": None}, "percent_off"),
        ({"amount_off": {"amount": 500, "currency": "EUR"}}, "percent_off"),
        ({"percent_off": 0}, "percent_off"),
        ({"percent_off": None, "amount_off": {"amount": 500, "currency": "USD"}}, "amount_off"),
        ({"applies_to": {}}, "applies_to"),
        ({"applies_to": {"categories": ["Kitchen Stuff"]}}, "category"),
        ({"applies_to": {"product_ids": ["not-a-uuid"]}}, "applies_to.product_ids[0]"),
        ({"starts_at": "2026-11-24T10:00:00"}, "starts_at"),
        ({"ends_at": at(1)}, "ends_at"),
        ({"starts_at": at(-48), "ends_at": at(-1)}, "ends_at"),
        ({"name": "  "}, "name"),
        ({"discount": 10}, "discount"),
    ],
)
def test_a_sale_that_breaks_a_rule_is_a_422_naming_the_field_and_is_not_created(
    client: TestClient[Litestar], shop: Shop, changes: dict[str, Any], field: str
) -> None:
    response = client.post(URL, json=a_sale_body(**changes), headers=STAFF)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"].startswith(field)
    assert shop.store.sales == {}


def test_staff_list_sales_newest_first_a_page_at_a_time(
    client: TestClient[Litestar], shop: Shop
) -> None:
    names = []
    for number in range(3):
        names.append(created(client, name=f"Sale {number}")["name"])
        shop.clock.advance(timedelta(minutes=1))

    first = client.get(URL, params={"limit": 2}, headers=STAFF).json()
    second = client.get(
        URL, params={"limit": 2, "cursor": first["next_cursor"]}, headers=STAFF
    ).json()

    assert [sale["name"] for sale in first["items"] + second["items"]] == names[::-1]
    assert first["total"] == {"value": 3, "relation": "eq"}
    assert second["next_cursor"] is None
    bad = client.get(URL, params={"cursor": "nonsense"}, headers=STAFF)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


def test_a_sale_in_force_ends_early_at_once_and_ending_it_again_changes_nothing(
    client: TestClient[Litestar], shop: Shop
) -> None:
    sale = created(client, starts_at=at(0))
    shop.clock.advance(timedelta(hours=2))

    ended = client.post(f"{URL}/{sale['id']}/end", headers=STAFF)
    again = client.post(f"{URL}/{sale['id']}/end", headers=STAFF)

    assert ended.status_code == again.status_code == 200
    assert ended.json() | {"version": None} == sale | {
        "status": "ended",
        "ended_early": True,
        "ends_at": at(2),
        "version": None,
    }
    assert again.json() == ended.json()


def test_a_sale_that_has_not_started_cannot_end_but_can_be_deleted(
    client: TestClient[Litestar],
) -> None:
    sale = created(client)

    ended = client.post(f"{URL}/{sale['id']}/end", headers=STAFF)
    deleted = client.delete(f"{URL}/{sale['id']}", headers=STAFF)

    assert ended.status_code == 409
    assert ended.json()["type"].endswith("sale_not_started")
    assert deleted.status_code == 204
    assert client.delete(f"{URL}/{sale['id']}", headers=STAFF).status_code == 204
    assert client.get(f"{URL}/{sale['id']}", headers=STAFF).status_code == 404
    assert client.post(f"{URL}/{sale['id']}/end", headers=STAFF).status_code == 404
    assert client.get(URL, headers=STAFF).json()["items"] == []


def test_an_unknown_sale_is_a_404(client: TestClient[Litestar]) -> None:
    unknown = f"{URL}/{uuid.uuid4()}"

    assert client.get(unknown, headers=STAFF).status_code == 404
    assert client.post(f"{unknown}/end", headers=STAFF).status_code == 404
    assert client.delete(unknown, headers=STAFF).status_code == 404


def test_staff_filter_sales_by_their_status_now_and_an_unknown_status_is_a_422(
    client: TestClient[Litestar], shop: Shop
) -> None:
    running = created(client, name="Running", starts_at=at(0))
    shop.clock.advance(timedelta(minutes=1))
    later = created(client, name="Later", starts_at=at(24))

    def names(*statuses: str) -> list[str]:
        response = client.get(URL, params={"status": list(statuses)}, headers=STAFF)
        assert response.status_code == 200, response.text
        return [sale["name"] for sale in response.json()["items"]]

    assert names("active") == [running["name"]]
    assert names("scheduled") == [later["name"]]
    assert names("active", "scheduled") == ["Later", "Running"]
    assert names("ended") == []
    shop.clock.advance(timedelta(hours=48))
    assert names("ended") == ["Later", "Running"]
    bad = client.get(URL, params={"status": "paused"}, headers=STAFF)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "status"
