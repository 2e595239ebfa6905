"""Staff's lists of sales and codes through the running service (API, relay, worker): what a
command answered is what the list and the read show to a query sending its `Consistency-Token`
back, as soon as the read model has it, never a stale answer."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.e2e.test_shopping_journey import read
from tests.support import bearer

STAFF = bearer("operator")


def later(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


def created(http: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    response = http.post(path, json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    return response


def test_staff_see_the_sale_they_created_ended_and_deleted_when_they_send_its_token(
    api_url: str,
) -> None:
    http = httpx.Client(base_url=api_url, timeout=15)
    body = {
        "name": f"Sale {uuid.uuid4().hex[:8]}",
        "percent_off": 20,
        "applies_to": {"brands": ["Acme"]},
        "starts_at": later(-1),
        "ends_at": later(24),
    }
    sale = created(http, "/v1/admin/discounts", body)
    url = f"/v1/admin/discounts/{sale.json()['id']}"

    listed = read(http, "/v1/admin/discounts", sale, headers=STAFF, params={"status": "active"})
    scheduled = read(
        http, "/v1/admin/discounts", sale, headers=STAFF, params={"status": "scheduled"}
    )
    shown = read(http, url, sale, headers=STAFF)
    ended = http.post(f"{url}/end", headers=STAFF)
    shown_ended = read(http, url, ended, headers=STAFF)
    deleted = http.delete(url, headers=STAFF)
    gone = http.get(
        url, headers=STAFF | {"Consistency-Token": deleted.headers["consistency-token"]}
    )

    assert sale.json() in listed["items"]
    assert sale.json()["id"] not in [item["id"] for item in scheduled["items"]]
    assert shown == sale.json()
    assert shown_ended == ended.json()
    assert (shown_ended["status"], shown_ended["ended_early"]) == ("ended", True)
    assert gone.status_code == 404
    assert "consistency" not in gone.headers


def test_staff_see_the_code_they_created_and_disabled_when_they_send_its_token(
    api_url: str,
) -> None:
    http = httpx.Client(base_url=api_url, timeout=15)
    code = f"STAFF{uuid.uuid4().hex[:8].upper()}"
    body = {"code": code, "percent_off": 5, "starts_at": later(1), "ends_at": later(48)}
    made = created(http, "/v1/admin/promo-codes", body)

    listed = read(http, "/v1/admin/promo-codes", made, headers=STAFF, params={"limit": 100})
    disabled = http.post(f"/v1/admin/promo-codes/{code.lower()}/disable", headers=STAFF)
    shown = read(http, f"/v1/admin/promo-codes/{code}", disabled, headers=STAFF)
    by_status = read(
        http, "/v1/admin/promo-codes", disabled, headers=STAFF, params={"status": "not_started"}
    )

    assert made.json() in listed["items"]
    assert made.json()["status"] == "not_started"
    assert shown == disabled.json()
    assert shown["status"] == "disabled"
    assert code not in [item["code"] for item in by_status["items"]]
