"""Staff routes for promo codes (operator): create, list, read, disable."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import JSONBody, PathParameter

from commerce.application.promo_codes import (
    CreatePromoCode,
    PromoCodeChanged,
    create_promo_code,
    disable_promo_code,
    get_promo_code,
    list_promo_codes,
)
from commerce.domain.pricing import Discount, PromoCode, PromoTerms
from commerce.domain.values import Money
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.bodies import MoneyBody
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.order_responses import Cursor, Limit
from commerce.entrypoints.http.problems import problem_specs
from commerce.entrypoints.http.responses import command_headers
from commerce.ports.clock import Clock
from commerce.ports.product_search import DEFAULT_LIMIT, Total
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings

# What staff may type; stored upper case (`normalize_code`).
CODE_BODY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$"
Instant = Annotated[datetime, msgspec.Meta(tz=True)]
Limit1 = Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)]
CodePath = Annotated[str, PathParameter(min_length=1, max_length=64)]


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


class PromoCodeView(msgspec.Struct, frozen=True, kw_only=True):
    """`status` now: `active`, `not_started`, `expired`, `exhausted` or `disabled`;
    `redeemed`: uses by orders not cancelled."""

    code: str
    percent_off: int | None
    amount_off: Money | None
    min_subtotal: Money | None
    max_redemptions: int | None
    per_customer_limit: int | None
    starts_at: datetime
    ends_at: datetime
    redeemed: int
    disabled: bool
    status: str
    created_at: datetime
    version: int


class PromoCodePageView(msgspec.Struct, frozen=True, kw_only=True):
    items: list[PromoCodeView]
    total: Total
    next_cursor: str | None


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
        responses=problem_specs(400, 401, 403, 422),
    )
    async def list_codes(
        self,
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> PromoCodePageView:
        page = await list_promo_codes(limit, cursor, uow)
        now = clock.now()
        return PromoCodePageView(
            items=[_view(promo, now) for promo in page.items],
            total=page.total,
            next_cursor=page.next_cursor,
        )

    @get(
        "/{code:str}",
        operation_id="getPromoCode",
        summary="One promo code, with how often it was used",
        cache=False,
        responses=problem_specs(400, 401, 403, 404, 422),
    )
    async def read(
        self, code: CodePath, uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Response[PromoCodeView]:
        promo = await get_promo_code(code, uow)
        view = _view(promo, clock.now())
        return Response(view, headers={"ETag": f'"{promo.version}"'})

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
    view = _view(result.promo, clock.now())
    return Response(view, status_code=status_code, headers=headers)


def _view(promo: PromoCode, now: datetime) -> PromoCodeView:
    terms = promo.terms
    return PromoCodeView(
        code=promo.code,
        percent_off=terms.discount.percent_off,
        amount_off=terms.discount.amount_off,
        min_subtotal=terms.min_subtotal,
        max_redemptions=terms.max_redemptions,
        per_customer_limit=terms.per_customer_limit,
        starts_at=terms.starts_at,
        ends_at=terms.ends_at,
        redeemed=promo.redeemed,
        disabled=promo.disabled,
        status=promo.status(now),
        created_at=promo.created_at,
        version=promo.version,
    )
