"""Traces within one process, on an in-memory exporter: a request's span named by its route, the
command inside it, the trace carried by the events it records, and the spans of batches in the
relay and the worker (continuing a trace, or linking to the several a batch joins)."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from dramatiq.brokers.stub import StubBroker
from litestar import Litestar
from litestar.testing import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.adapters.telemetry.context import batch_span, current_trace_context
from commerce.entrypoints.actors import declare_actor
from tests.shop import customer_with_cart, stocked_product
from tests.support import NOW, bearer, client_on_store
from tests.tracing import named, recorded_spans


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return recorded_spans()


@pytest.fixture
def client(store: InMemoryStore, spans: InMemorySpanExporter) -> Iterator[TestClient[Litestar]]:
    with client_on_store(store, FixedClock(NOW)) as test_client:
        yield test_client


async def test_a_command_request_is_one_trace_from_its_route_through_its_handler_to_its_events(
    client: TestClient[Litestar], store: InMemoryStore, spans: InMemorySpanExporter
) -> None:
    new_uow = lambda: InMemoryUnitOfWork(store, FixedClock(NOW))  # noqa: E731
    product_id = await stocked_product(new_uow, {"TR-1": 5})
    customer = await customer_with_cart(new_uow, {}, product_id)
    recorded = len(store.outbox)

    added = client.put(
        "/v1/cart/items/TR-1",
        json={"quantity": 2},
        headers=bearer("customer", account_id=customer.id),
    )

    assert added.status_code == 200, added.text
    finished = spans.get_finished_spans()
    request = named(finished, "PUT /v1/cart/items/{sku}")
    command = named(finished, "command set_cart_item")
    assert request.kind == SpanKind.SERVER
    assert request.attributes is not None
    assert request.attributes["http.route"] == "/v1/cart/items/{sku}"
    assert request.attributes["http.status_code"] == 200
    assert request.attributes["http.request.id"] == added.headers["x-request-id"]
    assert command.parent is not None
    assert command.context.trace_id == request.context.trace_id
    events = store.outbox[recorded:]
    assert events
    trace_id = format(request.context.trace_id, "032x")
    assert {e.trace_context["traceparent"].split("-")[1] for e in events} == {trace_id}


def test_a_batch_of_one_commands_events_continues_its_trace(spans: InMemorySpanExporter) -> None:
    with trace.get_tracer("test").start_as_current_span("command") as command:
        recorded = current_trace_context()

    with batch_span("outbox publish", SpanKind.PRODUCER, [recorded, recorded]) as publish:
        pass

    assert publish.get_span_context().trace_id == command.get_span_context().trace_id
    assert named(spans.get_finished_spans(), "outbox publish").links == ()


def test_a_batch_that_joins_several_commands_links_to_each_trace(
    spans: InMemorySpanExporter,
) -> None:
    tracer = trace.get_tracer("test")
    contexts = []
    for name in ("first", "second"):
        with tracer.start_as_current_span(name):
            contexts.append(current_trace_context())

    with batch_span("outbox publish", SpanKind.PRODUCER, [*contexts, {}]):
        pass

    finished = spans.get_finished_spans()
    publish = named(finished, "outbox publish")
    commands = {named(finished, n).context.trace_id for n in ("first", "second")}
    assert publish.parent is None
    assert publish.context.trace_id not in commands
    assert {link.context.trace_id for link in publish.links} == commands


def test_the_worker_applies_a_batch_in_the_trace_of_the_message_that_brought_it(
    spans: InMemorySpanExporter,
) -> None:
    with trace.get_tracer("test").start_as_current_span("command"):
        recorded = current_trace_context()
    with batch_span("outbox publish", SpanKind.PRODUCER, [recorded]):
        sent = current_trace_context()
    seen: list[int] = []

    class Consumer:
        name = "products"

        def __call__(self, batch: list[dict[str, Any]]) -> None:
            seen.append(trace.get_current_span().get_span_context().trace_id)

    actor = declare_actor(StubBroker(), Consumer())  # type: ignore[arg-type]
    event = {"event_id": str(uuid.uuid4()), "trace_context": recorded}
    actor.fn([event], None, sent)

    finished = spans.get_finished_spans()
    applied = named(finished, "products apply")
    publish = named(finished, "outbox publish")
    assert applied.kind == SpanKind.CONSUMER
    assert applied.parent is not None
    assert applied.parent.span_id == publish.context.span_id
    assert seen == [publish.context.trace_id] == [named(finished, "command").context.trace_id]
