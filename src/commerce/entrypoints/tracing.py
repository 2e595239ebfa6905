"""Turning tracing on in a process: the tracer from the `OTEL_*` variables
(`adapters/telemetry/setup.py`), and a span around every command handler."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager

from opentelemetry import trace

from commerce.adapters.telemetry.switch import tracing_on, tracing_wanted
from commerce.application.commands import watch_commands

_tracer = trace.get_tracer("commerce.commands")


def command_span(name: str) -> AbstractContextManager[object]:
    return _tracer.start_as_current_span(f"command {name}", attributes={"commerce.command": name})


def trace_process(process: str) -> bool:
    """Start tracing if the environment asks for it; say whether it is on."""
    if not (tracing_on() or tracing_wanted(os.environ)):
        return False
    from commerce.adapters.telemetry.setup import start_tracing  # noqa: PLC0415 (only if on)

    start_tracing(process)
    watch_commands(command_span)
    return True
