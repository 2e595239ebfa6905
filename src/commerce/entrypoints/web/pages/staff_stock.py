"""Staff's stock page: a product's variants as the `products` read model has them, the
adjustment of `POST /v1/admin/inventory/{sku}/adjustments` (receive, or write off, with a
reason) and the stock take of `PUT /v1/admin/inventory/{sku}` (the count on the shelf becomes
the level), each checked by that API's own body (`AdjustmentBody`, `StockBody`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from commerce.application.inventory import (
    AdjustStock,
    SetStock,
    StockChanged,
    adjust_stock,
    set_stock,
)
from commerce.application.search_products import get_product
from commerce.domain.errors import DomainError, DomainValidationError
from commerce.domain.values import Sku
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.catalog import AdjustmentBody, StockBody
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.web.forms import convert, decode, fields, form_again
from commerce.entrypoints.web.rendering import after_command, page
from commerce.ports.product_search import ProductSearch
from commerce.ports.unit_of_work import UnitOfWork


class StockForm(msgspec.Struct, frozen=True, kw_only=True):
    sku: Sku
    kind: Literal["receive", "write_off"]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)]
    reason: str

    async def run(self, uow: UnitOfWork) -> StockChanged:
        delta = self.quantity if self.kind == "receive" else -self.quantity
        body = convert({"delta": delta, "reason": self.reason}, AdjustmentBody)
        return await adjust_stock(
            AdjustStock(sku=self.sku, delta=body.delta, reason=body.reason), uow
        )


class CountForm(msgspec.Struct, frozen=True, kw_only=True):
    sku: Sku
    on_hand: int  # bounded by the API's `StockBody`

    async def run(self, uow: UnitOfWork) -> StockChanged:
        body = convert({"on_hand": self.on_hand}, StockBody)
        return await set_stock(SetStock(sku=self.sku, on_hand=body.on_hand), uow)


Sent: TypeAlias = Literal["adjust", "count"]  # which of the page's forms was sent
FORMS: dict[Sent, type[StockForm | CountForm]] = {"adjust": StockForm, "count": CountForm}


class StaffStockPages(Controller):
    path = "/staff/stock"
    guards = [requires_role("stock_operator")]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/{product_id:uuid}", name="staff-stock")
    async def show(
        self, product_id: FromPath[UUID], product_search: Injected[ProductSearch]
    ) -> Template:
        product = await get_product(product_id, product_search)
        levels = await product_search.stock_levels(product_id) or {}
        return page("staff/stock.html", product=product, levels=levels, values={})

    @post("/{product_id:uuid}", status_code=303)
    async def adjust(
        self,
        product_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        product_search: Injected[ProductSearch],
    ) -> Template | Redirect:
        return await _sent("adjust", product_id, request, uow, product_search)

    @post("/{product_id:uuid}/count", status_code=303)
    async def count(
        self,
        product_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        product_search: Injected[ProductSearch],
    ) -> Template | Redirect:
        return await _sent("count", product_id, request, uow, product_search)


async def _sent(
    sent: Sent,
    product_id: UUID,
    request: Request[Any, Any, Any],
    uow: UnitOfWork,
    product_search: ProductSearch,
) -> Template | Redirect:
    """Runs the form sent; a refusal draws the page again, said above that form, with what
    was typed kept."""
    form = fields(await request.form())
    product = await get_product(product_id, product_search)
    try:
        data = decode(form, FORMS[sent])
        if data.sku not in {variant.sku for variant in product.variants}:
            raise DomainValidationError("sku", f"{data.sku} is not a variant of this product")
        result = await data.run(uow)
    except DomainError as error:
        levels = await product_search.stock_levels(product_id) or {}
        return form_again(
            "staff/stock.html", error, product=product, levels=levels, values=form, sent=sent
        )
    return after_command(f"/staff/stock/{product_id}", result.event_ids)
