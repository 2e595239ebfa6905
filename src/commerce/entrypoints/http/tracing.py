"""A span per HTTP request (Litestar's OpenTelemetry middleware on the ASGI instrumentation),
named by its route template, so that `/v1/orders/{order_id}` is one operation, not one per id.

The middleware starts the span before Litestar has routed the request: it is named by the
method alone, and renamed once the route is known (`name_by_route`, as the response starts).
"""

from __future__ import annotations

from typing import Any

from litestar.middleware import DefineMiddleware
from litestar.types import Message, Scope
from opentelemetry import trace
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE


def _by_method(scope: Scope) -> tuple[str, dict[str, Any]]:
    return str(scope.get("method", "HTTP")), {}


async def name_by_route(message: Message, scope: Scope) -> None:
    """A `before_send` hook: the request's span takes the route's template for its name."""
    route = scope.get("path_template")
    if message["type"] == "http.response.start" and route:
        span = trace.get_current_span()
        span.update_name(f"{scope.get('method', 'HTTP')} {route}")
        span.set_attribute(HTTP_ROUTE, route)


def request_spans() -> DefineMiddleware:
    # Imported only when tracing is on: the ASGI instrumentation is not free to load.
    from litestar.plugins.opentelemetry import OpenTelemetryConfig  # noqa: PLC0415
    from opentelemetry.metrics import NoOpMeterProvider  # noqa: PLC0415

    return OpenTelemetryConfig(
        scope_span_details_extractor=_by_method,
        # Probes and scrapes would be most of the traces, and tell nothing.
        exclude=["^/health/", "^/metrics"],
        # One span per request: not one more for each chunk received and sent.
        exclude_spans=["receive", "send"],
        meter_provider=NoOpMeterProvider(),  # the metrics are Prometheus's (`/metrics`)
    ).middleware
