"""One checkout followed across the running processes (API, relay, worker): one trace from its
HTTP request to the worker's write to the orders read model, exported by each process over
OTLP to a receiver of the test's own; the same trace id in each process's log; and a whole
journey's logs, at DEBUG, in one JSON schema and without any password, token, card token or
secret. And a sale's start, one trace from the scheduler's pass to the products read model."""

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import msgspec
import pytest
from sqlalchemy.engine import make_url

from commerce.settings import Settings
from tests.e2e.conftest import running_service
from tests.e2e.test_shopping_journey import ADDRESS, read, stocked_product
from tests.otlp_receiver import Received, ReceivedSpan, otlp_receiver
from tests.private_redis import private_redis
from tests.support import TEST_JWT_SECRET, bearer

PROCESSES = ("api", "relay", "worker")
PASSWORD = "a-long-password-7Hq2"
CARD_TOKEN = "tok_visa"


@dataclass(frozen=True)
class Run:
    checkout_trace: str
    sale_trace: str  # the scheduler's pass that started a sale
    spans: list[ReceivedSpan]
    output: Path
    secrets: list[str]

    def lines(self, process: str) -> list[str]:
        return (self.output / f"{process}.log").read_text().splitlines()

    def everything(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.output.iterdir()))


def journey(http: httpx.Client) -> tuple[str, list[str]]:
    """Sign up, sign in, buy and pay; the checkout's request id and what must never be logged."""
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": PASSWORD, "name": "Ada", "shipping_address": ADDRESS}
    assert http.post("/v1/accounts", json=body).status_code == 201
    signed_in = http.post("/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    me = {"Authorization": f"Bearer {token}"}
    sku = f"TR-{uuid.uuid4().hex[:8]}"
    product_id, commands = stocked_product(http, f"trace{uuid.uuid4().hex[:6]}", sku)
    for command in commands:
        read(http, f"/v1/products/{product_id}", command)
    added = http.put(f"/v1/cart/items/{sku}", json={"quantity": 1}, headers=me)
    read(http, "/v1/cart", added, headers=me)

    placed = http.post("/v1/orders", json={}, headers=me | {"Idempotency-Key": str(uuid.uuid4())})
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    # Seen before paying: the payment's events never share the checkout's batch.
    read(http, f"/v1/orders/{order_id}", placed, headers=me)
    payment = {"amount": placed.json()["total"], "token": CARD_TOKEN}
    paid = http.post(
        f"/v1/orders/{order_id}/payments",
        json=payment,
        headers=me | {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert paid.status_code == 201, paid.text
    read(http, f"/v1/orders/{order_id}", paid, headers=me)
    return placed.headers["x-request-id"], [PASSWORD, token, CARD_TOKEN, TEST_JWT_SECRET]


def a_sale_due_now(http: httpx.Client) -> None:
    """A sale whose start the scheduler records at its next pass."""
    now = datetime.now(UTC)
    body = {
        "name": f"Sale {uuid.uuid4().hex[:8]}",
        "percent_off": 10,
        "applies_to": {"brands": ["Boardwright"]},
        "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    created = http.post("/v1/admin/discounts", json=body, headers=bearer("operator"))
    assert created.status_code == 201, created.text


def trace_of(spans: list[ReceivedSpan], service: str, name: str, since_ns: int = 0) -> str | None:
    """The trace of `service`'s first span `name` that started at `since_ns` or later."""
    found = sorted(
        (s.start_ns, s.trace_id)
        for s in spans
        if s.service == service and s.name == name and s.start_ns >= since_ns
    )
    return found[0][1] if found else None


def in_trace(spans: list[ReceivedSpan], trace_id: str) -> list[ReceivedSpan]:
    """The spans of the trace, and of the batches that joined it with others (which belong to
    none of the traces they join and link to each)."""
    return [s for s in spans if s.trace_id == trace_id or trace_id in s.linked_traces]


def reaches_read_model(spans: list[ReceivedSpan], trace_id: str, model: str) -> bool:
    """The worker wrote to Elasticsearch while applying the batch to `model`'s read model."""
    applied = {s.span_id for s in in_trace(spans, trace_id) if s.name == f"{model} apply"}
    return any(
        s.service == "commerce-worker"
        and s.attributes.get("db.system") == "elasticsearch"
        and s.parent_id in applied
        for s in spans
    )


def wait_for_trace(
    received: Received, service: str, name: str, model: str, since_ns: int = 0
) -> str:
    """The trace of `service`'s span `name`, once it reached `model`'s read-model write."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        spans = received.spans()
        trace_id = trace_of(spans, service, name, since_ns)
        if trace_id and reaches_read_model(spans, trace_id, model):
            return trace_id
        time.sleep(0.1)
    pytest.fail(f"the trace of {service}'s {name!r} never reached the {model} read model's write")


@pytest.fixture(scope="module")
def run(stack_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    output = tmp_path_factory.mktemp("service-output")
    environment = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "COMMERCE_LOG_LEVEL": "DEBUG",
        "COMMERCE_LOG_FORMAT": "json",
        "COMMERCE_SCHEDULER_INTERVAL": "0.5",
    }
    with otlp_receiver() as (endpoint, received), private_redis() as redis:
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
        settings = msgspec.structs.replace(stack_settings, redis_url=redis.url)
        with running_service(
            settings, 0, environment=environment, output=output, scheduler=True
        ) as service:
            with httpx.Client(base_url=service.url, timeout=15) as http:
                _, secrets = journey(http)
                # The database may hold other tests' sales, which passes before this one start
                # or end: the pass that starts this sale is the first after its creation.
                created_ns = time.time_ns()
                a_sale_due_now(http)
            trace_id = wait_for_trace(received, "commerce-api", "POST /v1/orders", "orders")
            sale = wait_for_trace(
                received, "commerce-scheduler", "command catch_up_sale", "products", created_ns
            )
            database_password = make_url(service.database_url).password
        # Every process has stopped and flushed its spans and its log.
        secrets += [f":{database_password}@"] if database_password else []
        yield Run(trace_id, sale, received.spans(), output, secrets)


def test_a_checkout_is_one_trace_from_its_request_to_the_read_model_write_in_the_worker(
    run: Run,
) -> None:
    spans = in_trace(run.spans, run.checkout_trace)
    by_service = {
        service: {s.name for s in spans if s.service == service}
        for service in ("commerce-api", "commerce-relay", "commerce-worker")
    }

    assert {"POST /v1/orders", "command place_order"} <= by_service["commerce-api"]
    assert any(
        s.attributes.get("db.system") == "postgresql"
        for s in spans
        if s.service == "commerce-api" and s.trace_id == run.checkout_trace
    )
    assert "outbox publish" in by_service["commerce-relay"]
    assert "orders apply" in by_service["commerce-worker"]
    assert reaches_read_model(run.spans, run.checkout_trace, "orders")


def test_a_sale_started_by_the_scheduler_is_one_trace_from_its_pass_to_the_read_model_write(
    run: Run,
) -> None:
    spans = in_trace(run.spans, run.sale_trace)
    (root,) = [s for s in spans if s.trace_id == run.sale_trace and not s.parent_id]
    by_service = {
        service: {s.name for s in spans if s.service == service}
        for service in ("commerce-scheduler", "commerce-relay", "commerce-worker")
    }

    assert (root.service, root.name) == ("commerce-scheduler", "scheduler pass")
    # Other tests' sales may come due in the same pass: it counts each sale it recorded.
    recorded = [
        s for s in spans if s.trace_id == run.sale_trace and s.name == "command catch_up_sale"
    ]
    assert root.attributes["commerce.scheduler.sales"] == len(recorded) >= 1
    assert "command catch_up_sale" in by_service["commerce-scheduler"]
    assert "outbox publish" in by_service["commerce-relay"]
    assert "products apply" in by_service["commerce-worker"]
    assert reaches_read_model(run.spans, run.sale_trace, "products")


def test_the_checkouts_trace_id_is_in_the_api_relay_and_worker_logs(run: Run) -> None:
    for process in PROCESSES:
        entries = [json.loads(line) for line in run.lines(process)]
        assert any(
            run.checkout_trace in [e.get("trace_id"), *e.get("linked_trace_ids", [])]
            for e in entries
        ), process
    checkout = [json.loads(line) for line in run.lines("api") if "POST /v1/orders " in line]
    assert [e["trace_id"] for e in checkout if e["message"] == "POST /v1/orders 201"] == [
        run.checkout_trace
    ]


def test_every_process_logs_one_json_schema_and_no_password_token_or_secret(run: Run) -> None:
    for process in PROCESSES:
        entries = [json.loads(line) for line in run.lines(process)]
        assert entries, f"{process} logged nothing"
        assert {e["process"] for e in entries} == {process}
        assert all({"time", "level", "logger", "message", "pid"} <= e.keys() for e in entries)

    everything = run.everything()
    leaked = [secret for secret in run.secrets if secret in everything]
    assert not leaked
