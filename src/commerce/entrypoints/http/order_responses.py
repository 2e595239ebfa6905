"""What the order, admin and payment routes share: the read model they query, the list
parameters, and the responses of commands (the same shape as the queries')."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Response
from litestar.params import Parameter

from commerce.application.checkout import OrderChanged
from commerce.application.order_queries import order_detail, payment_view
from commerce.application.payments import PaymentRecorded
from commerce.domain.order import OrderStatus
from commerce.entrypoints.http.responses import command_headers
from commerce.ports.order_views import OrderDetail, PaymentView
from commerce.ports.product_search import MAX_LIMIT

# Query parameters shared by the customer's and the staff's lists.
Statuses = Annotated[
    list[OrderStatus] | None,
    Parameter(description="Order status (repeatable: any of them).", max_items=len(OrderStatus)),
]
Q = Annotated[
    str | None,
    Parameter(description="A product name (typo tolerant) or an order number.", max_length=200),
]
PlacedFrom = Annotated[datetime | None, Parameter(description="Placed at or after (RFC 3339).")]
PlacedTo = Annotated[datetime | None, Parameter(description="Placed at or before (RFC 3339).")]
Limit = Annotated[int, Parameter(description="Page size.", ge=1, le=MAX_LIMIT)]
Cursor = Annotated[
    str | None,
    Parameter(description="`next_cursor` of the previous page.", max_length=1000),
]


def order_url(result: OrderChanged) -> str:
    return f"/v1/orders/{result.order.id}"


def order_response(
    result: OrderChanged, status_code: int = 200, location: str | None = None
) -> Response[OrderDetail]:
    headers = command_headers(result.event_ids, result.order.version)
    if location is not None:
        headers["Location"] = location
    return Response(order_detail(result.order), status_code=status_code, headers=headers)


def payment_response(result: PaymentRecorded, status_code: int) -> Response[PaymentView]:
    headers = command_headers(result.event_ids, result.order.version)
    headers["Location"] = f"/v1/payments/{result.payment.id}"
    view = payment_view(result.order.id, result.payment)
    return Response(view, status_code=status_code, headers=headers)
