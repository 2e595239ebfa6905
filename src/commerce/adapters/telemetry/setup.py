"""Tracing for one process, from the standard OpenTelemetry variables; off unless they ask.

On when `OTEL_TRACES_EXPORTER` names an exporter (`otlp`, `console`) or an OTLP endpoint is
set (`switch.py`). The OTLP exporter speaks protobuf over HTTP and
reads its own `OTEL_EXPORTER_OTLP_*` variables (endpoint, headers, timeout); the batch
processor reads `OTEL_BSP_*`. Off, nothing is instrumented and every span is the API's no-op.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

from commerce.adapters.telemetry.switch import tracing_on, tracing_wanted


def start_tracing(process: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Set this process's tracer up if the environment asks for it (once: later calls only
    say whether it is on). `process` names the service: `commerce-api`, `commerce-relay`..."""
    if tracing_on():
        return True
    if not tracing_wanted(environ):
        return False
    name = environ.get("OTEL_SERVICE_NAME") or f"commerce-{process}"
    provider = TracerProvider(
        sampler=ParentBased(root=EntriesOnly()),
        resource=Resource.create({SERVICE_NAME: name, "commerce.process": process}),
    )
    for processor in _processors(environ):
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    # The unit of work runs statements on the asyncpg connection itself (session.py), and
    # SQLAlchemy's own statements end there too: one instrumentation sees both.
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    return True


def _processors(environ: Mapping[str, str]) -> list[SpanProcessor]:
    names = environ.get("OTEL_TRACES_EXPORTER", "otlp").lower().split(",")
    exporters: list[SpanExporter] = []
    for name in (n.strip() for n in names):
        if name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
                OTLPSpanExporter,
            )

            exporters.append(OTLPSpanExporter())
        elif name == "console":
            exporters.append(ConsoleSpanExporter())
        else:
            raise ValueError(f"OTEL_TRACES_EXPORTER: unknown exporter {name!r} (otlp, console)")
    return [BatchSpanProcessor(exporter) for exporter in exporters]


def stop_tracing() -> None:
    """Export what is buffered (a worker process ends without running `atexit`)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.shutdown()


class EntriesOnly(Sampler):
    """Roots are what the service was asked to do (a request, a batch, a command); a statement
    or an Elasticsearch call with nothing behind it (the relay polling the outbox every few
    milliseconds) would be a trace of its own each time, and is not recorded."""

    def should_sample(  # noqa: PLR0917 (the SDK's signature)
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        if kind == SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)

    def get_description(self) -> str:
        return "EntriesOnly"
