"""Turning tracing on in a process: the tracer from the `OTEL_*` variables
(`adapters/telemetry/setup.py`), a span around every command handler, and one around each
scheduler pass."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from opentelemetry import trace

from commerce.adapters.telemetry.switch import tracing_on, tracing_wanted
from commerce.application.commands import watch_commands

_tracer = trace.get_tracer("commerce.commands")
_scheduler = trace.get_tracer("commerce.scheduler")


def command_span(name: str) -> AbstractContextManager[object]:
    return _tracer.start_as_current_span(f"command {name}", attributes={"commerce.command": name})


@contextmanager
def scheduler_pass_span() -> Iterator[trace.Span]:
    """The root of what one scheduler pass does: the commands it issues (a sale's start, an
    unpaid order's cancellation) are its children, so their events carry its trace to the
    relay and the worker. A no-op span while tracing is off."""
    with _scheduler.start_as_current_span("scheduler pass") as span:
        yield span


def trace_process(process: str) -> bool:
    """Start tracing if the environment asks for it; say whether it is on."""
    if not (tracing_on() or tracing_wanted(os.environ)):
        return False
    from commerce.adapters.telemetry.setup import start_tracing  # noqa: PLC0415 (only if on)

    start_tracing(process)
    watch_commands(command_span)
    return True
