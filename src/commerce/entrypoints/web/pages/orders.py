"""My orders and an order's page: the `orders` read model; cancelling as the API does."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, Parameter
from litestar.response import Redirect, Template

from commerce.application.order_queries import get_order, list_orders
from commerce.application.orders import CancelOrder, cancel_order
from commerce.domain.order import AWAITING_PAYMENT, CANCELLABLE, CancelReason, OrderStatus
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.web.forms import choices
from commerce.entrypoints.web.rendering import after_command, page
from commerce.ports.auth import Principal
from commerce.ports.clock import Clock
from commerce.ports.order_views import OrderQuery, OrderViews
from commerce.ports.unit_of_work import UnitOfWork

PAGE_SIZE = 20


class OrderPages(Controller):
    path = "/orders"
    guards = [requires_role("customer")]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/", name="orders")
    async def list_own(
        self,
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
        q: Annotated[str | None, Parameter(max_length=200)] = None,
        cursor: Annotated[str | None, Parameter(max_length=1000)] = None,
    ) -> Template:
        chosen = choices(request.query_params.getall("status", []), OrderStatus)
        query = OrderQuery(
            customer_id=principal.account_id,
            statuses=chosen,
            q=q.strip() if q and q.strip() else None,
            limit=PAGE_SIZE,
            cursor=cursor,
        )
        orders = await list_orders(query, order_views)
        return page("orders.html", orders=orders, query=query, all_statuses=list(OrderStatus))

    @get("/{order_id:uuid}", name="order")
    async def detail(
        self,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
    ) -> Template:
        order = await get_order(order_id, principal, order_views)
        return page(
            "order.html",
            order=order,
            cancellable=order.status in CANCELLABLE,
            payable=order.status in AWAITING_PAYMENT and order.balance_due.amount > 0,
            attempt=uuid.uuid4().hex,
        )

    @post("/{order_id:uuid}/cancel", status_code=303)
    async def cancel(
        self,
        order_id: FromPath[UUID],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
    ) -> Redirect:
        command = CancelOrder(
            order_id=order_id, reason=CancelReason.CUSTOMER, customer_id=principal.account_id
        )
        result = await cancel_order(command, uow, clock)
        return after_command(f"/orders/{order_id}", result.event_ids)
