"""`POST /v1/pricing/quote`: anyone may ask what some items would cost now."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import JSONBody

from commerce.application.quote import QuoteItem, QuoteItems, quote
from commerce.domain.cart import MAX_LINES, MAX_QUANTITY
from commerce.domain.pricing import PricedCart
from commerce.domain.values import SKU_PATTERN
from commerce.entrypoints.http.auth import optional_caller
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.problems import problem_specs
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings


class QuoteItemBody(msgspec.Struct, frozen=True, kw_only=True):
    sku: Annotated[str, msgspec.Meta(pattern=SKU_PATTERN)]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=MAX_QUANTITY)]


class QuoteBody(msgspec.Struct, frozen=True, kw_only=True):
    items: Annotated[list[QuoteItemBody], msgspec.Meta(min_length=1, max_length=MAX_LINES)]
    promo_code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class PricingController(Controller):
    path = "/v1/pricing"
    tags = ["cart"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @post(
        "/quote",
        operation_id="quotePrices",
        summary="Price some items now, without a cart",
        status_code=200,
        responses=problem_specs(400, 401, 422),
    )
    async def quote(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[QuoteBody],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> PricedCart:
        """The same breakdown as `GET /v1/cart` for a cart of these items and this code, at
        this instant. A SKU the catalogue does not know (or given twice) is a 422 naming the
        item; one not for sale or short of stock shows `available: false` and is not
        counted. A code that does not apply takes nothing off and says why
        (`promo_code_rejection`). Signed in, the caller's own uses of the code count."""
        caller = optional_caller(request)
        query = QuoteItems(
            items=[QuoteItem(sku=item.sku, quantity=item.quantity) for item in data.items],
            promo_code=data.promo_code,
            customer_id=caller.account_id if caller is not None else None,
        )
        return await quote(query, uow, clock, settings.currency)
