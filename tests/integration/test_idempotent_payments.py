"""A double click on "pay", twenty times over: the same payment request sent concurrently with
one `Idempotency-Key`, through the app, against the real PostgreSQL and the sandbox gateway."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.payments.sandbox import SandboxPaymentGateway
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.support import TEST_JWT_SECRET, bearer

ADDRESS = {"name": "Ada", "line1": "1 Loop", "city": "London", "postal_code": "N1", "country": "GB"}


@pytest.fixture
async def http(stack_settings: Settings, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = msgspec.structs.replace(
        stack_settings, database_url=database_url, jwt_secret=TEST_JWT_SECRET
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def an_order(http: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, object]]:
    email = f"ada-{uuid.uuid4().hex[:10]}@example.com"
    body = {"email": email, "password": "correct horse battery", "name": "Ada"}
    account = await http.post("/v1/accounts", json=body | {"shipping_address": ADDRESS})
    customer = bearer("customer", account_id=uuid.UUID(account.json()["id"]))
    sku = f"KT-{uuid.uuid4().hex[:10]}"
    product = {
        "name": "Kettle",
        "brand": "Acme",
        "category": "kitchen/kettles",
        "variants": [{"sku": sku, "price": {"amount": 5000, "currency": "EUR"}}],
    }
    await http.post("/v1/admin/products", json=product, headers=bearer("operator"))
    await http.put(
        f"/v1/admin/inventory/{sku}", json={"on_hand": 5}, headers=bearer("stock_operator")
    )
    await http.put(f"/v1/cart/items/{sku}", json={"quantity": 1}, headers=customer)
    placed = await http.post("/v1/orders", headers=customer | {"Idempotency-Key": "order-1"})
    assert placed.status_code == 201, placed.text
    return customer, placed.json()


async def test_twenty_concurrent_identical_payment_requests_charge_once(
    http: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    customer, order = await an_order(http)
    headers = customer | {"Idempotency-Key": f"pay-{uuid.uuid4()}"}
    body = {"amount": {"amount": 5000, "currency": "EUR"}, "token": "tok_visa"}

    responses = await asyncio.gather(
        *(
            http.post(f"/v1/orders/{order['id']}/payments", json=body, headers=headers)
            for _ in range(20)
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, [
        r.text for r in responses if r.status_code not in (201, 409)
    ]
    first = [
        r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers
    ]
    assert len(first) == 1
    in_flight = [r for r in responses if r.status_code == 409]
    assert all(r.json()["type"] == "urn:commerce:problem:request_in_flight" for r in in_flight)
    replayed = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    assert all(r.json() == first[0].json() for r in replayed)
    payment_id = first[0].json()["id"]
    ledger = await SandboxPaymentGateway(engine).ledger()
    assert [c.key for c in ledger.charges].count(payment_id) == 1
    assert ledger.captured(payment_id) == 5000
    # A retry after the storm replays the one payment; the order was paid once.
    again = await http.post(f"/v1/orders/{order['id']}/payments", json=body, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first[0].json()
