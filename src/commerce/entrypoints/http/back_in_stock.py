"""A customer asks for an email when an out-of-stock variant is back (beyond the contract)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, PathParameter

from commerce.application.back_in_stock import RequestBackInStock, request_back_in_stock
from commerce.domain.values import SKU_PATTERN
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.problems import problem_specs
from commerce.entrypoints.http.responses import command_headers
from commerce.ports.auth import Principal
from commerce.ports.back_in_stock import BackInStockRequests
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork


class BackInStockRequest(msgspec.Struct, frozen=True, kw_only=True):
    product_id: UUID
    sku: str
    waiting: bool = True


class BackInStockController(Controller):
    path = "/v1/products/{product_id:uuid}/variants/{sku:str}/back-in-stock"
    tags = ["products"]  # noqa: RUF012 (Litestar reads it as a class attribute)
    guards = [requires_role("customer")]  # noqa: RUF012

    @post(
        "/",
        operation_id="requestBackInStock",
        summary="Be emailed once when an out-of-stock variant is back",
        responses={
            200: ResponseSpec(BackInStockRequest, description="Already waiting for it"),
            **problem_specs(400, 401, 403, 404, 409, 422),
        },
    )
    async def request(
        self,
        product_id: FromPath[UUID],
        sku: Annotated[str, PathParameter(pattern=SKU_PATTERN)],
        *,
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        back_in_stock_requests: Injected[BackInStockRequests],
        clock: Injected[Clock],
    ) -> Response[BackInStockRequest]:
        """201 for a new request, 200 when the customer already waits for it; 409 `in_stock`
        when units are available (order instead), 404 for a variant not on sale. The email is
        non-essential: a customer who chose `essential` communications gets none."""
        command = RequestBackInStock(
            product_id=product_id, sku=sku, customer_id=principal.account_id
        )
        new = await request_back_in_stock(command, uow, back_in_stock_requests, clock)
        body = BackInStockRequest(product_id=product_id, sku=sku)
        return Response(body, status_code=201 if new else 200, headers=command_headers([]))
