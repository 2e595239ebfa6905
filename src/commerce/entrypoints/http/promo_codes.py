"""Staff routes for promo codes (operator): create, list, read, disable."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import JSONBody, Parameter, PathParameter

from commerce.application.promo_codes import (
    CreatePromoCode,
    PromoCodeChanged,
    create_promo_code,
    disable_promo_code,
)
from commerce.application.promotion_queries import get_promo_code, list_promo_codes
from commerce.domain.pricing import Discount, PromoTerms
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.bodies import MoneyBody
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.order_responses import Cursor, Limit
from commerce.entrypoints.http.problems import problem_specs
from commerce.entrypoints.http.responses import command_headers, version_headers
from commerce.ports.clock import Clock
from commerce.ports.product_search import DEFAULT_LIMIT
from commerce.ports.promotion_views import (
    PromoCodePage,
    PromoCodeStatus,
    PromoCodeView,
    PromotionViews,
)
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings

# What staff may type; stored upper case (`normalize_code`).
CODE_BODY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$"
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
Limit1 = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)]
CodePath = Annotated[str, PathParameter(min_length=1, max_length=64)]
Statuses = Annotated[
    list[PromoCodeStatus] | None,
    Parameter(description="Status now (repeatable: any of them).", max_items=len(PromoCodeStatus)),
]


class PromoCodeBody(msgspec.Struct, frozen=True, kw_only=True):
    """Exactly one of `percent_off` and `amount_off`; the other limits are optional."""

    code: Annotated[str, msgspec.Meta(pattern=CODE_BODY_PATTERN)]
    percent_off: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None
    amount_off: MoneyBody | None = None
    min_subtotal: MoneyBody | None = None
    max_redemptions: Limit1 | None = None
    per_customer_limit: Limit1 | None = None
    starts_at: Instant
    ends_at: Instant

    def to_command(self) -> CreatePromoCode:
        terms = PromoTerms(
            discount=Discount(
                percent_off=self.percent_off,
                amount_off=self.amount_off.to_money() if self.amount_off else None,
            ),
            min_subtotal=self.min_subtotal.to_money() if self.min_subtotal else None,
            max_redemptions=self.max_redemptions,
            per_customer_limit=self.per_customer_limit,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
        )
        return CreatePromoCode(code=self.code, terms=terms)


class PromoCodesAdminController(Controller):
    path = "/v1/admin/promo-codes"
    tags = ["promotions admin"]  # noqa: RUF012 (Litestar reads it as a class attribute)
    guards = [requires_role("operator")]  # noqa: RUF012

    @post(
        "/",
        operation_id="createPromoCode",
        summary="Create a promo code",
        responses=problem_specs(400, 401, 403, 409, 422),
    )
    async def create(
        self,
        data: JSONBody[PromoCodeBody],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Response[PromoCodeView]:
        """409 `promo_code_taken` when the code exists, in any case, even disabled: a code
        is never reused."""
        result = await create_promo_code(data.to_command(), uow, clock, settings.currency)
        response = _response(result, clock, status_code=201)
        response.headers["Location"] = f"{self.path}/{result.promo.code}"
        return response

    @get(
        "/",
        operation_id="listPromoCodes",
        summary="Every promo code, newest first",
        cache=False,
        responses=problem_specs(400, 401, 403, 422, 503),
    )
    async def list_codes(
        self,
        promotion_views: Injected[PromotionViews],
        clock: Injected[Clock],
        status: Statuses = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> PromoCodePage:
        return await list_promo_codes(list(status or []), limit, cursor, promotion_views, clock)

    @get(
        "/{code:str}",
        operation_id="getPromoCode",
        summary="One promo code, with how often it was used",
        cache=False,
        responses=problem_specs(400, 401, 403, 404, 422, 503),
    )
    async def read(
        self, code: CodePath, promotion_views: Injected[PromotionViews], clock: Injected[Clock]
    ) -> Response[PromoCodeView]:
        view = await get_promo_code(code, promotion_views, clock)
        return Response(view, headers=version_headers(view.version))

    @post(
        "/{code:str}/disable",
        operation_id="disablePromoCode",
        summary="Disable a promo code for good",
        status_code=200,
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def disable(
        self, code: CodePath, uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Response[PromoCodeView]:
        """Carts holding it show it no longer applies; orders that used it keep their
        discount. Disabling again changes nothing."""
        return _response(await disable_promo_code(code, uow, clock), clock)


def _response(
    result: PromoCodeChanged, clock: Clock, status_code: int = 200
) -> Response[PromoCodeView]:
    headers = command_headers(result.event_ids, result.promo.version)
    view = PromoCodeView.of(result.promo, clock.now())
    return Response(view, status_code=status_code, headers=headers)
