"""Customer emails through the running service (API, relay, worker) and a real mail server:
a customer who buys, pays and whose order ships finds one email for each in their inbox."""

import time
import uuid

import httpx

from tests.e2e.conftest import Service
from tests.e2e.test_shopping_journey import ADDRESS, pay, stocked_product
from tests.support import bearer


def test_a_paid_then_shipped_order_lands_two_emails_in_the_customers_inbox(
    service: Service,
) -> None:
    http = httpx.Client(base_url=service.url, timeout=15)
    email = f"grace-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": "a-long-password", "name": "Grace Hopper"}
    registered = http.post("/v1/accounts", json=body | {"shipping_address": ADDRESS})
    assert registered.status_code == 201, registered.text
    me = bearer("customer", account_id=uuid.UUID(registered.json()["id"]))
    sku = f"WB-{uuid.uuid4().hex[:8]}"
    stocked_product(http, f"mail{uuid.uuid4().hex[:6]}", sku)
    assert http.put(f"/v1/cart/items/{sku}", json={"quantity": 1}, headers=me).status_code == 200
    key = {"Idempotency-Key": str(uuid.uuid4())}
    placed = http.post("/v1/orders", json={}, headers=me | key)
    assert placed.status_code == 201, placed.text
    order_id, number = placed.json()["id"], placed.json()["number"]

    pay(http, me, order_id, 4500)
    shipped = http.post(
        f"/v1/admin/orders/{order_id}/shipments",
        json={"carrier": "UPS", "tracking_number": "1Z999"},
        headers=bearer("shipping_operator"),
    )
    assert shipped.status_code == 201, shipped.text

    mails = service.mail.wait_for(2, to=email, seconds=30)
    time.sleep(0.5)  # nothing more comes
    # In either order: two worker threads may take the two batches at once.
    assert sorted(m["Subject"] for m in service.mail.messages(to=email)) == [
        f"Order {number} has shipped",
        f"Order {number}: payment received",
    ]
    assert mails[0]["Message-ID"] != mails[1]["Message-ID"]
