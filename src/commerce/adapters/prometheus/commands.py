"""The API's business figures: checkouts, payments and refunds by outcome, search latency by
query kind, and Consistency-Token waits. Recorded at the HTTP edge, around the handler call,
so the handlers stay free of metrics.

An outcome is the result's (`placed`, a payment's status) or the domain error's kind
(`insufficient_stock`, `empty_cart`, ...: one per error class, a bounded label set);
`unavailable` when a server was down, `error` for anything else.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from uuid import UUID

from prometheus_client import Counter, Histogram

from commerce.domain.errors import DomainError
from commerce.domain.order.payments import Payment
from commerce.ports.health import DependencyUnavailableError

T = TypeVar("T")

CHECKOUTS = Counter("commerce_checkouts", "Checkouts (POST /v1/orders) by outcome.", ["outcome"])
PAYMENTS = Counter("commerce_payments", "Payments submitted, by outcome.", ["outcome"])
REFUNDS = Counter("commerce_refunds", "Refunds asked for, by outcome.", ["outcome"])
SEARCH_LATENCY = Histogram(
    "commerce_search_duration_seconds",
    "Time to answer a catalogue query, by kind (text, browse, suggest, facets, ...).",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
)
CONSISTENCY_WAITS = Counter(
    "commerce_consistency_waits",
    "Queries that waited on a Consistency-Token, by read model and outcome (fresh or stale).",
    ["read_model", "outcome"],
)


async def counted(counter: Counter, call: Awaitable[T], outcome: Callable[[T], str]) -> T:
    """Await `call`, counting its outcome in `counter` whether it returns or raises."""
    try:
        result = await call
    except Exception as error:
        counter.labels(failure_kind(error)).inc()
        raise
    counter.labels(outcome(result)).inc()
    return result


def refund_outcome(payment: Payment, refund_id: UUID) -> str:
    """`succeeded`, or `pending` while the gateway has not confirmed it."""
    done = any(r.id == refund_id and r.succeeded for r in payment.refunds)
    return "succeeded" if done else "pending"


def failure_kind(error: Exception) -> str:
    if isinstance(error, DependencyUnavailableError):
        return "unavailable"
    if not isinstance(error, DomainError):
        return "error"
    code = getattr(error, "code", None)
    if isinstance(code, str):
        return code
    name = type(error).__name__.removesuffix("Error")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@contextmanager
def timed_search(kind: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        SEARCH_LATENCY.labels(kind).observe(time.perf_counter() - start)


def count_consistency_wait(read_model: str, *, fresh: bool) -> None:
    CONSISTENCY_WAITS.labels(read_model, "fresh" if fresh else "stale").inc()
