"""Payments by id: their status (the owner or staff), and refunds (operator)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from commerce.adapters.prometheus.commands import REFUNDS, counted, refund_outcome
from commerce.application.order_queries import (
    get_payment,
)
from commerce.application.payments import (
    PaymentRecorded,
    RefundPayment,
    refund_payment,
)
from commerce.entrypoints.http.auth import requires_role, signed_in
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.idempotency import Idempotency
from commerce.entrypoints.http.order_responses import (
    payment_response,
)
from commerce.entrypoints.http.problems import problem_specs
from commerce.ports.auth import Principal
from commerce.ports.clock import Clock
from commerce.ports.order_views import OrderViews, PaymentView
from commerce.ports.payment_gateway import PaymentGateway
from commerce.ports.unit_of_work import UnitOfWork

MAX_AMOUNT = 100_000_000_000


class RefundBody(msgspec.Struct, frozen=True, kw_only=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=MAX_AMOUNT)] | None = None  # None: what is left


class PaymentsController(Controller):
    path = "/v1/payments"
    tags = ["payments"]  # noqa: RUF012

    @get(
        "/{payment_id:uuid}",
        operation_id="getPayment",
        summary="One payment with its status (the order's owner or staff)",
        guards=[signed_in],
        cache=False,
        responses=problem_specs(400, 401, 404, 422, 503),
    )
    async def detail(
        self,
        *,
        payment_id: FromPath[UUID],
        principal: Injected[Principal],
        order_views: Injected[OrderViews],
    ) -> PaymentView:
        return await get_payment(payment_id, principal, order_views)

    @post(
        "/{payment_id:uuid}/refunds",
        operation_id="refundPayment",
        summary="Refund part or all of a captured payment",
        guards=[requires_role("operator")],
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def refund(
        self,
        *,
        payment_id: FromPath[UUID],
        idempotency: Injected[Idempotency],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        payment_gateway: Injected[PaymentGateway],
        data: JSONBody[RefundBody | None] = None,
    ) -> Response[PaymentView]:
        """`amount` in minor units; left out, what is left to refund. Never more than was
        captured (422); 409 for a payment that captured nothing. Answers with the payment
        after the refund (`refunded`), which stays `pending` at the gateway if it did not
        answer, until it is asked again."""
        command = RefundPayment(
            payment_id=payment_id,
            refund_id=idempotency.derived_id("refund"),
            amount=data.amount if data is not None else None,
        )
        result = await counted_refund(command, uow, payment_gateway, clock)
        return payment_response(result, status_code=201)


async def counted_refund(
    command: RefundPayment, uow: UnitOfWork, gateway: PaymentGateway, clock: Clock
) -> PaymentRecorded:
    """A refund, counted in the refunds metric by its outcome (from the API or a page)."""
    refunding = refund_payment(command, uow, gateway, clock)
    return await counted(
        REFUNDS, refunding, lambda done: refund_outcome(done.payment, command.refund_id)
    )
