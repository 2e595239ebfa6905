"""The trace context events and messages carry (W3C `traceparent`), and the spans of batches.

A command's events are written with its context (`current_trace_context`), so the relay and
the worker continue the command's trace. A batch usually holds one command's events and is a
child of it; a batch that joins several traces belongs to none of them and links to each
(OpenTelemetry's rule for batches), so every trace still leads to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("commerce")

Carrier = Mapping[str, str]


def current_trace_context() -> dict[str, str]:
    """The current span's `traceparent` (and `tracestate`); empty when nothing is traced."""
    carrier: dict[str, str] = {}
    if trace.get_current_span().get_span_context().is_valid:
        _PROPAGATOR.inject(carrier)
    return carrier


def _span_context(carrier: Carrier) -> trace.SpanContext | None:
    if "traceparent" not in carrier:
        return None
    found = trace.get_current_span(_PROPAGATOR.extract(carrier)).get_span_context()
    return found if found.is_valid else None


@contextmanager
def batch_span(
    name: str,
    kind: SpanKind,
    carriers: Iterable[Carrier],
    parent: Carrier | None = None,
    attributes: Mapping[str, str | int] | None = None,
) -> Iterator[Span]:
    """A span for a batch of events that came from the traces in `carriers`: the child of
    `parent` if given (the message's sender), else of the one trace they share; linked to each
    trace it is not part of."""
    contexts = {c.trace_id: c for c in map(_span_context, carriers) if c is not None}
    origin = _span_context(parent) if parent is not None else None
    if origin is None and len(contexts) == 1:
        (origin,) = contexts.values()
    context = trace.set_span_in_context(trace.NonRecordingSpan(origin)) if origin else Context()
    joined = origin.trace_id if origin else None
    links = [Link(c) for trace_id, c in contexts.items() if trace_id != joined]
    with _tracer.start_as_current_span(
        name, context=context, kind=kind, links=links, attributes=attributes
    ) as span:
        yield span
