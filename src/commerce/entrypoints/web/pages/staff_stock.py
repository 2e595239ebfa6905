"""Staff's stock page: a product's variants as the `products` read model has them, and the
adjustment of `POST /v1/admin/inventory/{sku}/adjustments` (receive, or write off, with a
reason), checked by that API's own `AdjustmentBody`."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from commerce.application.inventory import AdjustStock, adjust_stock
from commerce.application.search_products import get_product
from commerce.domain.errors import DomainError, DomainValidationError
from commerce.domain.values import Sku
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.catalog import AdjustmentBody
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

    def to_body(self) -> AdjustmentBody:
        delta = self.quantity if self.kind == "receive" else -self.quantity
        return convert({"delta": delta, "reason": self.reason}, AdjustmentBody)


class StaffStockPages(Controller):
    path = "/staff/stock"
    guards = [requires_role("stock_operator")]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/{product_id:uuid}", name="staff-stock")
    async def show(
        self, product_id: FromPath[UUID], product_search: Injected[ProductSearch]
    ) -> Template:
        return await _stock_page(product_id, product_search, values={})

    @post("/{product_id:uuid}", status_code=303)
    async def adjust(
        self,
        product_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        product_search: Injected[ProductSearch],
    ) -> Template | Redirect:
        form = fields(await request.form())
        product = await get_product(product_id, product_search)
        try:
            data = decode(form, StockForm)
            if data.sku not in {variant.sku for variant in product.variants}:
                raise DomainValidationError("sku", f"{data.sku} is not a variant of this product")
            body = data.to_body()
            command = AdjustStock(sku=data.sku, delta=body.delta, reason=body.reason)
            result = await adjust_stock(command, uow)
        except DomainError as error:
            levels = await product_search.stock_levels(product_id) or {}
            return form_again(
                "staff/stock.html", error, product=product, levels=levels, values=form
            )
        return after_command(f"/staff/stock/{product_id}", result.event_ids)


async def _stock_page(product_id: UUID, product_search: ProductSearch, **context: Any) -> Template:
    product = await get_product(product_id, product_search)
    levels = await product_search.stock_levels(product_id) or {}
    return page("staff/stock.html", product=product, levels=levels, **context)
