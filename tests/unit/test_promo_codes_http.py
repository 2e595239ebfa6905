"""The promo code, cart code and quote routes over HTTP: who may call them, the problems a bad
body or a refused code gets, and the staff's list, read and disable. On the in-memory twins:
nothing here needs a server."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore
from tests.support import NOW, bearer, client_on_store

CUSTOMER = uuid.uuid4()
STARTS = NOW.isoformat().replace("+00:00", "Z")
ENDS = (NOW + timedelta(days=7)).isoformat().replace("+00:00", "Z")

ROUTES = [
    ("POST", "/v1/admin/promo-codes", "operator"),
    ("GET", "/v1/admin/promo-codes", "operator"),
    ("GET", "/v1/admin/promo-codes/SUMMER10", "operator"),
    ("POST", "/v1/admin/promo-codes/SUMMER10/disable", "operator"),
    ("PUT", "/v1/cart/promo-code", "customer"),
    ("DELETE", "/v1/cart/promo-code", "customer"),
]


@pytest.fixture
def client(store: InMemoryStore) -> Iterator[TestClient[Litestar]]:
    with client_on_store(store, FixedClock(NOW)) as test_client:
        yield test_client


def code_body(**changes: Any) -> dict[str, Any]:
    return {"code": "summer10", "percent_off": 10, "starts_at": STARTS, "ends_at": ENDS} | changes


def create(client: TestClient[Litestar], **changes: Any) -> Any:
    return client.post(
        "/v1/admin/promo-codes", json=code_body(**changes), headers=bearer("operator")
    )


def fields_of(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(("method", "url", "role"), ROUTES)
def test_each_route_is_a_401_without_a_token_and_a_403_for_another_role(
    client: TestClient[Litestar], method: str, url: str, role: str
) -> None:
    other = "customer" if role == "operator" else "operator"

    anonymous = client.request(method, url, json=code_body())
    wrong_role = client.request(method, url, json=code_body(), headers=bearer(other))

    assert anonymous.status_code == 401, anonymous.text
    assert wrong_role.status_code == 403, wrong_role.text


def test_anyone_may_ask_for_a_quote_but_a_bad_token_is_a_401(client: TestClient[Litestar]) -> None:
    body = {"items": [{"sku": "NOPE-1", "quantity": 1}]}

    anonymous = client.post("/v1/pricing/quote", json=body)
    forged = client.post(
        "/v1/pricing/quote", json=body, headers={"Authorization": "Bearer not-a-token"}
    )

    assert fields_of(anonymous) == ["items[0].sku"]  # past the guards: the SKU is unknown
    assert forged.status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"percent_off": 0}, "percent_off"),
        ({"amount_off": {"amount": 500, "currency": "EUR"}}, "percent_off"),
        ({"code": "no spaces"}, "code"),
        ({"ends_at": "2026-12-01T10:00:00"}, "ends_at"),
        ({"ends_at": STARTS}, "ends_at"),
        ({"max_redemptions": 0}, "max_redemptions"),
        ({"min_subtotal": {"amount": 500, "currency": "USD"}}, "min_subtotal.currency"),
    ],
)
def test_a_bad_code_body_is_a_422_naming_the_field(
    client: TestClient[Litestar], changes: dict[str, Any], field: str
) -> None:
    assert field in fields_of(create(client, **changes))


def test_a_created_code_is_a_201_and_taking_it_again_in_another_case_a_409(
    client: TestClient[Litestar],
) -> None:
    created = create(client, max_redemptions=100)
    taken = create(client, code="SUMMER10", percent_off=50)

    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/admin/promo-codes/SUMMER10"
    view = created.json()
    assert (view["code"], view["percent_off"], view["status"], view["redeemed"]) == (
        "SUMMER10",
        10,
        "active",
        0,
    )
    assert taken.status_code == 409
    assert taken.json()["type"] == "urn:commerce:problem:promo_code_taken"


def test_staff_list_codes_newest_first_read_one_and_disable_it(
    client: TestClient[Litestar], store: InMemoryStore
) -> None:
    staff = bearer("operator")
    for code in ("ALPHA1", "BRAVO2", "CHARLIE3"):
        assert create(client, code=code).status_code == 201
    # Created at the same instant: newest first is then by code, descending.
    first = client.get("/v1/admin/promo-codes", params={"limit": 2}, headers=staff).json()
    rest = client.get(
        "/v1/admin/promo-codes", params={"cursor": first["next_cursor"]}, headers=staff
    ).json()
    disabled = client.post("/v1/admin/promo-codes/bravo2/disable", headers=staff)
    read = client.get("/v1/admin/promo-codes/BRAVO2", headers=staff)
    unknown = client.get("/v1/admin/promo-codes/NOPE", headers=staff)
    bad_cursor = client.get("/v1/admin/promo-codes", params={"cursor": "x"}, headers=staff)

    assert [c["code"] for c in first["items"]] == ["CHARLIE3", "BRAVO2"]
    assert first["total"] == {"value": 3, "relation": "eq"}
    assert [c["code"] for c in rest["items"]] == ["ALPHA1"]
    assert rest["next_cursor"] is None
    assert disabled.status_code == 200
    assert (read.json()["status"], read.json()["disabled"]) == ("disabled", True)
    assert unknown.status_code == 404
    assert fields_of(bad_cursor) == ["cursor"]


def test_staff_filter_codes_by_their_status_now(client: TestClient[Litestar]) -> None:
    staff = bearer("operator")
    later = (NOW + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    for code, starts in (("NOWCODE", STARTS), ("LATERCODE", later)):
        assert create(client, code=code, starts_at=starts).status_code == 201
    client.post("/v1/admin/promo-codes/NOWCODE/disable", headers=staff)

    def codes(*statuses: str) -> list[str]:
        response = client.get(
            "/v1/admin/promo-codes", params={"status": list(statuses)}, headers=staff
        )
        return [item["code"] for item in response.json()["items"]]

    assert codes("not_started") == ["LATERCODE"]
    assert codes("disabled") == ["NOWCODE"]
    assert codes("active", "expired", "exhausted") == []
    assert fields_of(
        client.get("/v1/admin/promo-codes", params={"status": "x"}, headers=staff)
    ) == ["status"]


def test_a_refused_code_is_a_422_with_its_reason_and_how_much_more_to_add(
    client: TestClient[Litestar],
) -> None:
    create(client, code="BIG40", min_subtotal={"amount": 4000, "currency": "EUR"})
    shopper = bearer("customer", account_id=CUSTOMER)

    unknown = client.put("/v1/cart/promo-code", json={"code": "nope"}, headers=shopper)
    below = client.put("/v1/cart/promo-code", json={"code": "big40"}, headers=shopper)

    assert fields_of(unknown) == ["code"]
    assert unknown.json()["reason"] == "unknown"
    problem = below.json()
    assert problem["type"] == "urn:commerce:problem:promo_code_below_minimum"
    assert problem["reason"] == "below_minimum"
    assert problem["missing"] == {"amount": 4000, "currency": "EUR"}
    assert problem["detail"].startswith("add 40.00 EUR more")


def test_a_code_entered_shows_in_the_cart_answer_and_goes_when_removed(
    client: TestClient[Litestar],
) -> None:
    create(client, code="TENOFF")
    shopper = bearer("customer", account_id=CUSTOMER)

    entered = client.put("/v1/cart/promo-code", json={"code": "tenoff"}, headers=shopper)
    removed = client.delete("/v1/cart/promo-code", headers=shopper)

    assert entered.status_code == 200, entered.text
    assert entered.json()["promo_code"] == "TENOFF"
    assert entered.headers["consistency-token"]
    assert removed.status_code == 200
    assert removed.json()["promo_code"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [{"sku": "KT-1", "quantity": 0}]}, "items[0].quantity"),
        ({"items": [{"sku": "KT 1", "quantity": 1}]}, "items[0].sku"),
        ({"items": [{"sku": "KT-1", "quantity": 1}], "promo_code": ""}, "promo_code"),
    ],
)
def test_a_bad_quote_body_is_a_422_naming_the_field(
    client: TestClient[Litestar], body: dict[str, Any], field: str
) -> None:
    assert field in fields_of(client.post("/v1/pricing/quote", json=body))
