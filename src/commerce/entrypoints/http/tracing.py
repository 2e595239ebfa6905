"""A span per HTTP request (Litestar's OpenTelemetry plugin on the ASGI instrumentation), named
by its route template, so that `/v1/orders/{order_id:uuid}` is one operation, not one per id."""

from __future__ import annotations

from typing import Any

from litestar.middleware import DefineMiddleware
from litestar.plugins.opentelemetry import OpenTelemetryConfig
from litestar.types import Scope
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE


def route_of(scope: Scope) -> tuple[str, dict[str, Any]]:
    route: str = scope.get("path_template", scope["path"])
    return f"{scope.get('method', '')} {route}".strip(), {HTTP_ROUTE: route}


def request_spans() -> DefineMiddleware:
    return OpenTelemetryConfig(
        scope_span_details_extractor=route_of,
        # Probes and scrapes would be most of the traces, and tell nothing.
        exclude=["^/health/", "^/metrics"],
        # One span per request: not one more for each chunk received and sent.
        exclude_spans=["receive", "send"],
        meter_provider=NoOpMeterProvider(),  # the metrics are Prometheus's (`/metrics`)
    ).middleware
