"""Staff manage the catalogue and stock over HTTP, against the real PostgreSQL."""

import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.tables import outbox
from commerce.application.consistency import decode_token
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.support import TEST_JWT_SECRET, bearer

OPERATOR = bearer("operator")
STOCK = bearer("stock_operator")


@pytest.fixture
def client(stack_settings: Settings, database_url: str) -> Iterator[TestClient[Litestar]]:
    settings = msgspec.structs.replace(
        stack_settings, database_url=database_url, jwt_secret=TEST_JWT_SECRET
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def product_body(*skus: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Stainless steel kettle",
        "description": "Boils 1.7 l in three minutes.",
        "brand": "Acme",
        "category": "kitchen/kettles",
        "images": ["https://img.example/kettle.jpg"],
        "attributes": {"material": "steel"},
        "variants": [
            {"sku": sku, "price": {"amount": 2999, "currency": "EUR"}, "attributes": {"color": c}}
            for sku, c in zip(skus, ["red", "black", "white"], strict=False)
        ],
    } | changes


def unique_sku() -> str:
    return f"KT-{uuid.uuid4().hex[:10]}"


def test_an_operator_creates_a_product_with_location_etag_and_consistency_token(
    client: TestClient[Litestar],
) -> None:
    sku = unique_sku()
    response = client.post("/v1/admin/products", json=product_body(sku), headers=OPERATOR)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/products/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert len(decode_token(response.headers["consistency-token"]) or []) == 2
    assert body["variants"] == [
        {
            "sku": sku,
            "price": {"amount": 2999, "currency": "EUR"},
            "attributes": {"color": "red"},
            "retired": False,
        }
    ]
    assert body["version"] == 1


async def test_the_product_and_its_events_are_written_in_one_transaction(
    client: TestClient[Litestar], engine: AsyncEngine
) -> None:
    response = client.post("/v1/admin/products", json=product_body(unique_sku()), headers=OPERATOR)
    event_ids = decode_token(response.headers["consistency-token"]) or []

    async with engine.connect() as connection:
        rows = await connection.execute(
            select(outbox.c.type, outbox.c.aggregate_id).where(outbox.c.event_id.in_(event_ids))
        )
        written = sorted(rows.all())

    assert [row.type for row in written] == ["ProductCreated", "StockLevelChanged"]


def test_a_sku_already_used_is_a_409_and_the_second_product_is_not_created(
    client: TestClient[Litestar],
) -> None:
    sku = unique_sku()
    client.post("/v1/admin/products", json=product_body(sku), headers=OPERATOR)

    response = client.post(
        "/v1/admin/products", json=product_body(unique_sku(), sku), headers=OPERATOR
    )

    assert response.status_code == 409
    assert response.json()["type"] == "urn:commerce:problem:duplicate_sku"
    assert sku in response.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "Kitchen"}, "category"),
        ({"name": ""}, "name"),
        ({"variants": []}, "variants"),
        ({"images": ["not-a-url"]}, "images[0]"),
    ],
)
def test_an_invalid_product_is_a_422_naming_the_field(
    client: TestClient[Litestar], changes: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/v1/admin/products", json=product_body(unique_sku(), **changes), headers=OPERATOR
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


NUL = "\u0000"


@pytest.mark.parametrize(
    ("changes", "variant_changes", "field"),
    [
        ({"brand": f"Ac{NUL}me"}, {}, "brand"),
        ({"description": f"Boils{NUL}"}, {}, "description"),
        ({"attributes": {f"mat{NUL}": "steel"}}, {}, f"attributes.mat{NUL}"),
        ({"attributes": {"material": f"st{NUL}eel"}}, {}, "attributes.material"),
        ({"name": "Kettle\n"}, {}, "name"),  # a single line, even at its end
        ({"attributes": {"": "steel"}}, {}, "attributes"),
        ({}, {"attributes": {"color": f"r{NUL}ed"}}, "variants[0].attributes.color"),
        ({}, {"price": {"amount": "2999", "currency": "EUR"}}, "variants[0].price.amount"),
        ({"unexpected": 1}, {}, "unexpected"),
    ],
)
def test_a_control_character_a_loose_type_or_an_unknown_field_is_a_422_and_writes_nothing(
    client: TestClient[Litestar],
    changes: dict[str, Any],
    variant_changes: dict[str, Any],
    field: str,
) -> None:
    sku = unique_sku()
    body = product_body(sku, **changes)
    body["variants"][0] |= variant_changes

    response = client.post("/v1/admin/products", json=body, headers=OPERATOR)
    again = client.post("/v1/admin/products", json=product_body(sku), headers=OPERATOR)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert again.status_code == 201  # the SKU is still free


def test_a_description_is_free_text_with_tabs_and_line_breaks(
    client: TestClient[Litestar],
) -> None:
    description = "Boils 1.7 l.\r\n\tQuietly."

    response = client.post(
        "/v1/admin/products",
        json=product_body(unique_sku(), description=description),
        headers=OPERATOR,
    )

    assert response.status_code == 201
    assert response.json()["description"] == description


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"brand": f"Ac{NUL}me"}, "brand"),
        ({"description": f"Boils{NUL}"}, "description"),
        ({"attributes": {"material": f"st{NUL}eel"}}, "attributes.material"),
        (
            {"variants": [{"sku": "KT-1", "attributes": {"color": NUL}}]},
            "variants[0].attributes.color",
        ),
        ({"variants": [{"sku": "KT-1", "retired": "true"}]}, "variants[0].retired"),
        ({"nmae": "Quiet kettle"}, "nmae"),
    ],
)
def test_a_bad_product_change_is_a_422_and_leaves_the_product_as_it_was(
    client: TestClient[Litestar], change: dict[str, Any], field: str
) -> None:
    created = client.post("/v1/admin/products", json=product_body(unique_sku()), headers=OPERATOR)
    url, etag = f"/v1/admin/products/{created.json()['id']}", created.headers["etag"]

    response = client.patch(url, json=change, headers=OPERATOR | {"If-Match": etag})
    unchanged = client.patch(url, json={"brand": "Acme"}, headers=OPERATOR | {"If-Match": etag})

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert unchanged.status_code == 200  # the version did not move


def test_a_price_in_another_currency_is_a_422(client: TestClient[Litestar]) -> None:
    body = product_body(unique_sku())
    body["variants"][0]["price"]["currency"] = "USD"

    response = client.post("/v1/admin/products", json=body, headers=OPERATOR)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "price.currency"


def test_a_body_that_is_not_json_is_a_400(client: TestClient[Litestar]) -> None:
    response = client.post(
        "/v1/admin/products",
        content=b"{not json",
        headers=OPERATOR | {"content-type": "application/json"},
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), (bearer("customer"), 403), (bearer("stock_operator"), 403)],
)
def test_catalogue_routes_need_the_operator_role(
    client: TestClient[Litestar], headers: dict[str, str], status: int
) -> None:
    response = client.post("/v1/admin/products", json=product_body(unique_sku()), headers=headers)

    assert response.status_code == status


def test_an_admin_may_do_what_an_operator_may(client: TestClient[Litestar]) -> None:
    response = client.post(
        "/v1/admin/products", json=product_body(unique_sku()), headers=bearer("admin")
    )

    assert response.status_code == 201


def test_a_forged_token_is_a_401(client: TestClient[Litestar]) -> None:
    token = OPERATOR["Authorization"][:-4] + "AAAA"

    response = client.post(
        "/v1/admin/products", json=product_body(unique_sku()), headers={"Authorization": token}
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_patch_honours_if_match_and_answers_412_once_the_version_moved(
    client: TestClient[Litestar],
) -> None:
    sku = unique_sku()
    created = client.post("/v1/admin/products", json=product_body(sku), headers=OPERATOR)
    url = f"/v1/admin/products/{created.json()['id']}"
    etag = created.headers["etag"]

    first = client.patch(
        url,
        json={
            "name": "Quiet kettle",
            "variants": [{"sku": sku, "price": {"amount": 1999, "currency": "EUR"}}],
        },
        headers=OPERATOR | {"If-Match": etag},
    )
    stale = client.patch(url, json={"brand": "Other"}, headers=OPERATOR | {"If-Match": etag})

    assert first.status_code == 200
    assert first.json()["name"] == "Quiet kettle"
    assert first.json()["variants"][0]["price"]["amount"] == 1999
    assert first.headers["etag"] == '"3"'
    assert stale.status_code == 412


def test_patch_of_an_unknown_product_is_a_404(client: TestClient[Litestar]) -> None:
    response = client.patch(
        f"/v1/admin/products/{uuid.uuid4()}", json={"name": "x"}, headers=OPERATOR
    )

    assert response.status_code == 404


def test_an_archived_product_cannot_be_edited(client: TestClient[Litestar]) -> None:
    created = client.post("/v1/admin/products", json=product_body(unique_sku()), headers=OPERATOR)
    product_id = created.json()["id"]

    archived = client.post(f"/v1/admin/products/{product_id}/archive", headers=OPERATOR)
    edit = client.patch(f"/v1/admin/products/{product_id}", json={"name": "x"}, headers=OPERATOR)

    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    assert edit.status_code == 409


def test_a_stock_operator_counts_receives_and_writes_off_stock(
    client: TestClient[Litestar],
) -> None:
    sku = unique_sku()
    client.post("/v1/admin/products", json=product_body(sku), headers=OPERATOR)

    counted = client.put(f"/v1/admin/inventory/{sku}", json={"on_hand": 10}, headers=STOCK)
    received = client.post(
        f"/v1/admin/inventory/{sku}/adjustments",
        json={"delta": 5, "reason": "received"},
        headers=STOCK,
    )
    too_much = client.post(
        f"/v1/admin/inventory/{sku}/adjustments",
        json={"delta": -16, "reason": "damaged"},
        headers=STOCK,
    )

    assert counted.json()["on_hand"] == 10
    assert {k: received.json()[k] for k in ("on_hand", "reserved", "available")} == {
        "on_hand": 15,
        "reserved": 0,
        "available": 15,
    }
    assert too_much.status_code == 409
    assert too_much.json()["type"] == "urn:commerce:problem:below_reserved"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"delta": 5, "reason": f"rec{NUL}eived"}, "reason"),
        ({"delta": 5, "reason": "received\n"}, "reason"),
        ({"delta": "5", "reason": "received"}, "delta"),
        ({"delta": 5, "reason": "received", "note": "pallet 3"}, "note"),
    ],
)
def test_a_bad_stock_adjustment_is_a_422_and_leaves_the_stock_as_it_was(
    client: TestClient[Litestar], body: dict[str, Any], field: str
) -> None:
    sku = unique_sku()
    client.post("/v1/admin/products", json=product_body(sku), headers=OPERATOR)
    client.put(f"/v1/admin/inventory/{sku}", json={"on_hand": 10}, headers=STOCK)
    url = f"/v1/admin/inventory/{sku}/adjustments"

    response = client.post(url, json=body, headers=STOCK)
    after = client.post(url, json={"delta": 1, "reason": "found one"}, headers=STOCK)

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert after.json()["on_hand"] == 11


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/admin/inventory/NOPE-0", {"on_hand": 1}, 404),
        ("/v1/admin/inventory/NOPE-0", {"on_hand": -1}, 422),
        ("/v1/admin/inventory/bad%20sku", {"on_hand": 1}, 422),
    ],
)
def test_stock_errors_are_problems_not_failures(
    client: TestClient[Litestar], path: str, body: dict[str, int], status: int
) -> None:
    assert client.put(path, json=body, headers=STOCK).status_code == status


def test_stock_routes_need_the_stock_operator_role(client: TestClient[Litestar]) -> None:
    response = client.put("/v1/admin/inventory/ANY", json={"on_hand": 1}, headers=OPERATOR)

    assert response.status_code == 403
