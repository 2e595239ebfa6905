"""Staff's sales and promo codes: lists from the `promotions` read model with the status filter
of `/v1/admin/discounts` and `/v1/admin/promo-codes`; creating, ending, withdrawing and
disabling through the same commands, the forms checked by that API's `SaleBody` and
`PromoCodeBody`."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, Parameter, QueryParameter
from litestar.response import Redirect, Template

from commerce.application.promo_codes import create_promo_code, disable_promo_code
from commerce.application.promotion_queries import list_promo_codes, list_sales
from commerce.application.sales import create_sale, delete_sale, end_sale
from commerce.domain.errors import DomainError
from commerce.domain.pricing import SaleStatus
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.discounts import SaleBody
from commerce.entrypoints.http.promo_codes import CodePath, PromoCodeBody
from commerce.entrypoints.web.forms import choices, convert, fields, form_again
from commerce.entrypoints.web.rendering import after_command, page
from commerce.entrypoints.web.staff_forms import discount, instant, listed, money, present
from commerce.ports.clock import Clock
from commerce.ports.promotion_views import PromoCodeStatus, PromotionViews
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings

PAGE_SIZE = 50
Cursor = Annotated[str | None, Parameter(max_length=1000)]
SALE_STATUSES = [status for status in SaleStatus if status is not SaleStatus.DELETED]


def sale_body(form: dict[str, str], currency: str) -> dict[str, Any]:
    targets = {k: listed(form, k) for k in ("product_ids", "categories", "brands")}
    return present(
        {"name": form.get("name", "").strip()}
        | discount(form, currency)
        | {"starts_at": instant(form, "starts_at"), "ends_at": instant(form, "ends_at")}
    ) | {"applies_to": targets}


def promo_code_body(form: dict[str, str], currency: str) -> dict[str, Any]:
    limits = {k: form.get(k, "").strip() for k in ("max_redemptions", "per_customer_limit")}
    return present(
        {"code": form.get("code", "").strip()}
        | discount(form, currency)
        | limits
        | {
            "min_subtotal": money(form, "min_subtotal", currency, "minimum subtotal"),
            "starts_at": instant(form, "starts_at"),
            "ends_at": instant(form, "ends_at"),
        }
    )


def default_times(clock: Clock) -> dict[str, str]:
    """A new sale or code runs from now for a week, unless staff say otherwise (UTC)."""
    now = clock.now().replace(second=0, microsecond=0)
    moments = {"starts_at": now, "ends_at": now + timedelta(days=7)}
    return {k: v.strftime("%Y-%m-%dT%H:%M") for k, v in moments.items()}


class StaffSalePages(Controller):
    path = "/staff/sales"
    guards = [requires_role("operator")]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/", name="staff-sales")
    async def list_all(
        self,
        request: Request[Any, Any, Any],
        promotion_views: Injected[PromotionViews],
        clock: Injected[Clock],
        cursor: Cursor = None,
    ) -> Template:
        chosen = choices(request.query_params.getall("status", []), SaleStatus)
        sales = await list_sales(chosen, PAGE_SIZE, cursor, promotion_views, clock)
        return page("staff/sales.html", sales=sales, chosen=chosen, statuses=SALE_STATUSES)

    @get("/new", name="staff-sale-new")
    async def new_sale(
        self,
        clock: Injected[Clock],
        settings: Injected[Settings],
        product: Annotated[UUID | None, QueryParameter(name="product")] = None,
    ) -> Template:
        values = default_times(clock) | {"product_ids": str(product) if product else ""}
        return page("staff/sale_form.html", values=values, currency=settings.currency)

    @post("/", status_code=303)
    async def create(
        self,
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Template | Redirect:
        form = fields(await request.form())
        try:
            body = convert(sale_body(form, settings.currency), SaleBody)
            result = await create_sale(body.to_command(), uow, clock, settings.currency)
        except DomainError as error:
            return form_again(
                "staff/sale_form.html", error, values=form, currency=settings.currency
            )
        return after_command("/staff/sales", result.event_ids)

    @post("/{sale_id:uuid}/end", status_code=303)
    async def end(
        self, sale_id: FromPath[UUID], uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Redirect:
        return after_command("/staff/sales", (await end_sale(sale_id, uow, clock)).event_ids)

    @post("/{sale_id:uuid}/delete", status_code=303)
    async def withdraw(
        self, sale_id: FromPath[UUID], uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Redirect:
        return after_command("/staff/sales", (await delete_sale(sale_id, uow, clock)).event_ids)


class StaffPromoCodePages(Controller):
    path = "/staff/promo-codes"
    guards = [requires_role("operator")]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/", name="staff-promo-codes")
    async def list_codes(
        self,
        request: Request[Any, Any, Any],
        promotion_views: Injected[PromotionViews],
        clock: Injected[Clock],
        cursor: Cursor = None,
    ) -> Template:
        chosen = choices(request.query_params.getall("status", []), PromoCodeStatus)
        codes = await list_promo_codes(chosen, PAGE_SIZE, cursor, promotion_views, clock)
        statuses = list(PromoCodeStatus)
        return page("staff/promo_codes.html", codes=codes, chosen=chosen, statuses=statuses)

    @get("/new", name="staff-promo-code-new")
    async def new_code(self, clock: Injected[Clock], settings: Injected[Settings]) -> Template:
        values = default_times(clock)
        return page("staff/promo_code_form.html", values=values, currency=settings.currency)

    @post("/", status_code=303)
    async def create(
        self,
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Template | Redirect:
        form = fields(await request.form())
        try:
            body = convert(promo_code_body(form, settings.currency), PromoCodeBody)
            result = await create_promo_code(body.to_command(), uow, clock, settings.currency)
        except DomainError as error:
            return form_again(
                "staff/promo_code_form.html", error, values=form, currency=settings.currency
            )
        return after_command("/staff/promo-codes", result.event_ids)

    @post("/{code:str}/disable", status_code=303)
    async def disable(
        self, code: CodePath, uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Redirect:
        result = await disable_promo_code(code, uow, clock)
        return after_command("/staff/promo-codes", result.event_ids)
