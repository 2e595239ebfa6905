"""Logs: one schema in every process (API, relay, worker, scheduler, `commerce dev`).

Each line is a JSON object (`COMMERCE_LOG_FORMAT=json`, or `auto` when stderr is not a
terminal) or the same fields as readable text (`text`, or `auto` on a terminal):

    time, level, process, logger, message, pid, and where known trace_id, span_id,
    linked_trace_ids, request_id, customer_id, exception, and the record's own extra fields.

A batch of the relay or the worker that joined several commands' events belongs to none of
their traces and links to each: its lines name those traces (`linked_trace_ids`), so a search
of the logs for one command's trace id finds them.

The standard library's logging, not structlog: every library here (uvicorn, Dramatiq,
Litestar, the Elasticsearch client) already logs through it, so one formatter on the root
handler gives all of them the schema, with nothing to bridge. Secrets are masked here, the
one place lines are written: values of fields named like secrets, bearer tokens and JWTs,
gateway card tokens, `password=...`-style pairs, and anything that looks like a card number.
"""

from __future__ import annotations

import logging
import logging.config
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec
from opentelemetry import trace

from commerce.domain.account import mask_card_numbers

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
customer_id: ContextVar[str | None] = ContextVar("customer_id", default=None)

MASK = "[redacted]"
_SECRET_NAME = re.compile(
    r"pass(word|wd)?|secret|token|authorization|cookie|card|cvc|cvv|api[_-]?key|credential",
    re.IGNORECASE,
)
_SECRET_TEXT = [
    re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*"),  # a JWT
    re.compile(r"(?i)\bbearer\s+\S+"),
    re.compile(r"\btok_\w+"),  # a payment gateway's card token
    re.compile(r"\$argon2\w*\$\S+"),  # a password hash
]
# `password=...`, `"token": "..."`: the name stays, its value goes.
_SECRET_PAIR = re.compile(
    r"""(?i)(\b[\w-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key)["']?\s*[:=]\s*)(["']?)[^\s"',}&]+"""
)
# What every LogRecord has; anything else was passed in `extra=` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}
_CONTEXT = ("trace_id", "span_id", "linked_trace_ids", "request_id", "customer_id")


def redact(text: str) -> str:
    for pattern in _SECRET_TEXT:
        text = pattern.sub(MASK, text)
    text = _SECRET_PAIR.sub(rf"\1\2{MASK}", text)
    return mask_card_numbers(text, MASK)


class ContextFilter(logging.Filter):
    """Stamps the trace and the request on each record where it is made (before any handler
    thread could lose them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = trace.get_current_span()
        span = current.get_span_context()
        if span.is_valid:
            record.trace_id = format(span.trace_id, "032x")
            record.span_id = format(span.span_id, "016x")
        # The SDK's spans know their links; the API's (tracing off) have none.
        if links := getattr(current, "links", None):
            record.linked_trace_ids = sorted(
                {format(link.context.trace_id, "032x") for link in links}
            )
        record.request_id = request_id.get()
        record.customer_id = customer_id.get()
        return True


class LogFormatter(logging.Formatter):
    def __init__(self, process: str, json: bool) -> None:
        super().__init__()
        self._process = process
        self._json = json

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "process": self._process,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "pid": record.process,
        }
        for name in _CONTEXT:
            if (value := getattr(record, name, None)) is not None:
                entry[name] = value
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in _CONTEXT:
                entry[name] = MASK if _SECRET_NAME.search(name) else _redacted(value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.stack_info:
            entry["exception"] = redact(self.formatStack(record.stack_info))
        return entry

    def format(self, record: logging.LogRecord) -> str:
        entry = self.fields(record)
        if self._json:
            return msgspec.json.encode(entry, enc_hook=str).decode()
        return _text(entry)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact(str(value))


def _text(entry: dict[str, Any]) -> str:
    head = f"{entry.pop('time')} {entry.pop('level'):<7} {entry.pop('process')} "
    head += f"{entry.pop('logger')}: {entry.pop('message')}"
    exception = entry.pop("exception", None)
    entry.pop("pid")
    tail = " ".join(f"{name}={value}" for name, value in entry.items())
    line = f"{head}  [{tail}]" if tail else head
    return f"{line}\n{exception}" if exception else line


def wants_json(log_format: str, stream: Any = None) -> bool:
    if log_format != "auto":
        return log_format == "json"
    stream = sys.stderr if stream is None else stream
    return not (hasattr(stream, "isatty") and stream.isatty())


def logging_config(process: str, level: str, log_format: str) -> dict[str, Any]:
    """The `logging.config.dictConfig` of a process (uvicorn applies it in each of its
    workers too): one handler on stderr, on the root, that every logger reaches."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {
            "commerce": {"()": LogFormatter, "process": process, "json": wants_json(log_format)}
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["context"],
                "formatter": "commerce",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        # The API logs each request itself (`http/request_ids.py`), with its trace.
        "loggers": {"uvicorn.access": {"level": "WARNING"}},
    }


def configure_logging(process: str, level: str, log_format: str) -> None:
    logging.config.dictConfig(logging_config(process, level, log_format))
