"""Staff routes of sales (catalogue discounts): create, list, read, end early, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, JSONBody, Parameter

from commerce.application.promotion_queries import get_sale, list_sales
from commerce.application.sales import (
    CreateSale,
    SaleChanged,
    create_sale,
    delete_sale,
    end_sale,
)
from commerce.domain.pricing import Discount, SaleStatus, SaleTargets
from commerce.domain.pricing.discount import MAX_PERCENT
from commerce.domain.pricing.sale import MAX_NAME_LENGTH, MAX_NAMES, MAX_PRODUCTS
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.bodies import MoneyBody
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.order_responses import Cursor, Limit
from commerce.entrypoints.http.problems import problem_specs
from commerce.entrypoints.http.responses import command_headers
from commerce.ports.clock import Clock
from commerce.ports.product_search import DEFAULT_LIMIT
from commerce.ports.promotion_views import PromotionViews, SalePage, SaleView
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME_LENGTH)]
Category = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Statuses = Annotated[
    list[SaleStatus] | None,
    Parameter(
        description="Status now (repeatable: any of them); deleted sales are never listed.",
        max_items=len(SaleStatus),
    ),
]


class TargetsBody(msgspec.Struct, frozen=True, kw_only=True):
    product_ids: Annotated[list[UUID], msgspec.Meta(max_length=MAX_PRODUCTS)] = []
    categories: Annotated[list[Category], msgspec.Meta(max_length=MAX_NAMES)] = []
    brands: Annotated[list[Name], msgspec.Meta(max_length=MAX_NAMES)] = []


class SaleBody(msgspec.Struct, frozen=True, kw_only=True):
    """Exactly one of `percent_off` and `amount_off`; times with their zone (`Z` for UTC)."""

    name: Name
    percent_off: Annotated[int, msgspec.Meta(ge=1, le=MAX_PERCENT)] | None = None
    amount_off: MoneyBody | None = None
    applies_to: TargetsBody
    starts_at: datetime
    ends_at: datetime

    def to_command(self) -> CreateSale:
        targets = self.applies_to
        return CreateSale(
            name=self.name,
            discount=Discount(
                percent_off=self.percent_off,
                amount_off=self.amount_off.to_money() if self.amount_off else None,
            ),
            applies_to=SaleTargets(
                product_ids=frozenset(targets.product_ids),
                categories=tuple(targets.categories),
                brands=tuple(targets.brands),
            ),
            starts_at=self.starts_at,
            ends_at=self.ends_at,
        )


class DiscountsAdminController(Controller):
    path = "/v1/admin/discounts"
    tags = ["discounts admin"]  # noqa: RUF012 (Litestar reads it as a class attribute)
    guards = [requires_role("operator")]  # noqa: RUF012

    @post(
        "/",
        operation_id="createDiscount",
        summary="Create a sale: a discount on some products for a time",
        responses=problem_specs(400, 401, 403, 422),
    )
    async def create(
        self,
        data: JSONBody[SaleBody],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Response[SaleView]:
        """Search shows the sale price from `starts_at` (within the scheduler's interval) until
        `ends_at`; carts and checkout price by those instants exactly."""
        result = await create_sale(data.to_command(), uow, clock, settings.currency)
        return _sale_response(result, clock, status_code=201)

    @get(
        "/",
        operation_id="listDiscounts",
        summary="Every sale but deleted ones, newest first",
        cache=False,
        responses=problem_specs(400, 401, 403, 422, 503),
    )
    async def list_all(
        self,
        promotion_views: Injected[PromotionViews],
        clock: Injected[Clock],
        status: Statuses = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> SalePage:
        return await list_sales(list(status or []), limit, cursor, promotion_views, clock)

    @get(
        "/{sale_id:uuid}",
        operation_id="getDiscount",
        cache=False,
        responses=problem_specs(401, 403, 404, 422, 503),
    )
    async def read(
        self,
        sale_id: FromPath[UUID],
        promotion_views: Injected[PromotionViews],
        clock: Injected[Clock],
    ) -> SaleView:
        return await get_sale(sale_id, promotion_views, clock)

    @post(
        "/{sale_id:uuid}/end",
        operation_id="endDiscount",
        summary="End a sale in force now",
        status_code=200,
        responses=problem_specs(401, 403, 404, 409),
    )
    async def end(
        self, sale_id: FromPath[UUID], uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Response[SaleView]:
        """A sale that has ended already is answered as it is; one that has not started is a
        409 (`sale_not_started`): delete it instead."""
        return _sale_response(await end_sale(sale_id, uow, clock), clock)

    @delete(
        "/{sale_id:uuid}",
        operation_id="deleteDiscount",
        summary="Withdraw a sale, whatever its state",
        responses=problem_specs(401, 403, 404),
    )
    async def remove(
        self, sale_id: FromPath[UUID], uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Response[None]:
        result = await delete_sale(sale_id, uow, clock)
        return Response(None, status_code=204, headers=command_headers(result.event_ids))


def _sale_response(result: SaleChanged, clock: Clock, status_code: int = 200) -> Response[SaleView]:
    headers = command_headers(result.event_ids, result.sale.version)
    headers["Location"] = f"/v1/admin/discounts/{result.sale.id}"
    return Response(SaleView.of(result.sale, clock.now()), status_code=status_code, headers=headers)
