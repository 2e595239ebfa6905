"""Log lines: one schema (JSON, or the same fields as text on a terminal), with the trace, the
request and the customer they were written for, and no secret, token or card number in them;
every response names its request's id."""

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from commerce.adapters.telemetry.context import batch_span, current_trace_context
from commerce.entrypoints.http.app import create_app
from commerce.entrypoints.logs import (
    ContextFilter,
    LogFormatter,
    customer_id,
    request_id,
    wants_json,
)
from tests.support import bearer, container_without_servers
from tests.tracing import recorded_spans

SECRETS = [
    "hunter2-correct-horse",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "tok_visa_debit",
    "4242 4242 4242 4242",
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
]


def written(record: logging.LogRecord, json_lines: bool = True) -> str:
    ContextFilter().filter(record)
    return LogFormatter("api", json=json_lines).format(record)


def a_record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    logger = logging.getLogger("commerce.test")
    return logger.makeRecord(
        "commerce.test", logging.INFO, __file__, 1, message, args, None, extra=extra
    )


def test_a_line_is_one_json_object_with_the_trace_request_and_customer_it_was_written_for() -> None:
    recorded_spans()
    request_id.set("req-1")
    customer_id.set("c0ffee")
    with trace.get_tracer("test").start_as_current_span("request") as span:
        line = written(a_record("placed order %s", 42, order_id="o-1"))
    request_id.set(None)
    customer_id.set(None)

    entry = json.loads(line)
    context = span.get_span_context()
    assert entry["message"] == "placed order 42"
    assert (entry["level"], entry["process"], entry["logger"]) == ("INFO", "api", "commerce.test")
    assert entry["trace_id"] == format(context.trace_id, "032x")
    assert entry["span_id"] == format(context.span_id, "016x")
    assert (entry["request_id"], entry["customer_id"], entry["order_id"]) == (
        "req-1",
        "c0ffee",
        "o-1",
    )
    assert {"time", "pid"} <= entry.keys()


def test_a_batch_that_joined_several_commands_names_each_commands_trace() -> None:
    recorded_spans()
    tracer = trace.get_tracer("test")
    carriers, traces = [], []
    for name in ("place_order", "start_sale"):
        with tracer.start_as_current_span(f"command {name}") as command:
            carriers.append(current_trace_context())
            traces.append(format(command.get_span_context().trace_id, "032x"))

    with batch_span("outbox publish", SpanKind.PRODUCER, carriers):
        entry = json.loads(written(a_record("published batch 7")))

    assert entry["linked_trace_ids"] == sorted(traces)
    assert entry["trace_id"] not in traces  # the batch belongs to neither


def test_text_lines_carry_the_same_fields_for_a_terminal() -> None:
    request_id.set("req-2")
    line = written(a_record("hello"), json_lines=False)
    request_id.set(None)

    assert " INFO    api commerce.test: hello" in line
    assert "request_id=req-2" in line


LABELLED = [
    ("sign-in with password=%s", {}),
    ('{"token": "%s"}', {}),
    ("a field", {"password": "{}"}),
    ("a field", {"card_token": "{}"}),
]
# Recognised wherever they stand, named or not.
SELF_EVIDENT = [("Authorization: Bearer %s", {}), ("charging %s", {}), ("a", {"note": "card {}"})]


@pytest.mark.parametrize(
    ("secret", "message", "extra"),
    [(secret, *case) for secret in SECRETS for case in LABELLED]
    + [(secret, *case) for secret in SECRETS[1:] for case in SELF_EVIDENT],
)
def test_no_password_token_card_or_hash_reaches_a_line(
    secret: str, message: str, extra: dict[str, str]
) -> None:
    args = (secret,) if "%s" in message else ()
    fields = {name: value.format(secret) for name, value in extra.items()}

    line = written(a_record(message, *args, **fields))

    assert secret not in line
    assert secret.replace(" ", "") not in line
    assert "[redacted]" in line


def test_identifiers_are_not_taken_for_card_numbers() -> None:
    ids = "message 16727ed3-50e3-4211-9876-123456789012, order 12345678-1234-1234-1234-123456789012"

    assert json.loads(written(a_record(ids)))["message"] == ids


def test_no_secret_reaches_a_line_through_an_exception() -> None:
    try:
        raise ValueError(f"bad login for password={SECRETS[0]} with Bearer {SECRETS[1]}")
    except ValueError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, __file__, 1, "failed", (), exc_info=__import__("sys").exc_info()
        )

    line = written(record)

    assert "ValueError" in json.loads(line)["exception"]
    assert SECRETS[0] not in line
    assert SECRETS[1] not in line


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_are_text_on_a_terminal_and_json_elsewhere_unless_set() -> None:
    assert not wants_json("auto", Terminal())
    assert wants_json("auto", io.StringIO())
    assert wants_json("json", Terminal())
    assert not wants_json("text", io.StringIO())


@pytest.fixture
def client() -> Iterator[TestClient[Litestar]]:
    container = container_without_servers()
    with TestClient(create_app(container.settings(), container)) as test_client:
        yield test_client


@pytest.fixture
def request_lines() -> Iterator[io.StringIO]:
    """What the API's request log writes, formatted as the service formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(LogFormatter("api", json=True))
    logger = logging.getLogger("commerce.requests")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_every_response_names_its_request_and_a_well_formed_id_sent_is_kept(
    client: TestClient[Litestar],
) -> None:
    fresh = client.get("/v1/cart", headers=bearer("customer"))
    kept = client.get("/v1/cart", headers=bearer("customer") | {"X-Request-Id": "lb-7f3a.9:2"})
    refused = client.get("/v1/cart", headers={"X-Request-Id": "no spaces or\tcontrol"})
    unknown = client.get("/no/such/route")

    assert len(fresh.headers["x-request-id"]) == 32
    assert kept.headers["x-request-id"] == "lb-7f3a.9:2"
    assert refused.headers["x-request-id"] != "no spaces or\tcontrol"
    assert len(refused.headers["x-request-id"]) == 32
    assert unknown.status_code == 404
    assert unknown.headers["x-request-id"]


def test_a_request_is_logged_once_by_its_route_with_its_id_and_customer(
    client: TestClient[Litestar], request_lines: io.StringIO
) -> None:
    customer = uuid.uuid4()
    response = client.get("/v1/cart", headers=bearer("customer", account_id=customer))

    (entry,) = [json.loads(line) for line in request_lines.getvalue().splitlines()]
    assert entry["message"] == f"GET /v1/cart {response.status_code}"
    assert entry["request_id"] == response.headers["x-request-id"]
    assert entry["customer_id"] == str(customer)
    assert isinstance(entry["duration_ms"], float)
    assert "Bearer" not in request_lines.getvalue()
