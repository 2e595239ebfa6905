"""Staff routes of orders: every customer's orders, shipping and delivery."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, Parameter

from commerce.application.order_queries import (
    list_orders,
)
from commerce.application.orders import (
    DeliverOrder,
    ShipOrder,
    deliver_order,
    ship_order,
)
from commerce.domain.account import MAX_EMAIL_LENGTH
from commerce.domain.values import PRINTABLE_PATTERN
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.order_responses import (
    Cursor,
    Limit,
    PlacedFrom,
    PlacedTo,
    Q,
    Statuses,
    order_response,
    order_url,
)
from commerce.entrypoints.http.problems import problem_specs
from commerce.ports.clock import Clock
from commerce.ports.order_views import OrderDetail, OrderPage, OrderQuery, OrderViews
from commerce.ports.product_search import DEFAULT_LIMIT
from commerce.ports.unit_of_work import UnitOfWork

Line = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PRINTABLE_PATTERN)]


class ShipmentBody(msgspec.Struct, frozen=True, kw_only=True):
    carrier: Line
    tracking_number: Line


class OrdersAdminController(Controller):
    path = "/v1/admin/orders"
    tags = ["orders admin"]  # noqa: RUF012

    @get(
        "/",
        operation_id="listOrders",
        summary="Every customer's orders, newest first",
        guards=[requires_role("operator")],
        cache=False,
        responses=problem_specs(400, 401, 403, 422, 503),
    )
    async def list_all(
        self,
        *,
        order_views: Injected[OrderViews],
        status: Statuses = None,
        customer_email: Annotated[
            str | None,
            Parameter(description="The customer's email (any case).", max_length=MAX_EMAIL_LENGTH),
        ] = None,
        q: Q = None,
        placed_from: PlacedFrom = None,
        placed_to: PlacedTo = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> OrderPage:
        query = OrderQuery(
            customer_id=None,
            statuses=list(status or []),
            q=q,
            placed_from=placed_from,
            placed_to=placed_to,
            customer_email=customer_email,
            limit=limit,
            cursor=cursor,
        )
        return await list_orders(query, order_views)

    @post(
        "/{order_id:uuid}/shipments",
        operation_id="shipOrder",
        summary="Ship a paid order",
        guards=[requires_role("shipping_operator")],
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def ship(
        self,
        order_id: FromPath[UUID],
        data: JSONBody[ShipmentBody],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
    ) -> Response[OrderDetail]:
        """The order becomes `shipped` and its reserved units are sold. 409 unless `paid`."""
        command = ShipOrder(
            order_id=order_id, carrier=data.carrier, tracking_number=data.tracking_number
        )
        result = await ship_order(command, uow, clock)
        return order_response(result, status_code=201, location=order_url(result))

    @post(
        "/{order_id:uuid}/delivered",
        operation_id="markOrderDelivered",
        summary="Record that a shipped order was delivered",
        status_code=200,
        guards=[requires_role("shipping_operator")],
        responses=problem_specs(401, 403, 404, 409),
    )
    async def delivered(
        self, order_id: FromPath[UUID], uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Response[OrderDetail]:
        result = await deliver_order(DeliverOrder(order_id=order_id), uow, clock)
        return order_response(result)
