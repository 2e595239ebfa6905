"""Staff's product pages: the list searches the `products` read model (as `GET /v1/products`);
creating, changing and archiving run the catalogue commands of `/v1/admin/products`, the forms
decoded into that API's own bodies (`ProductBody`, `ProductPatch`). A change is expected at the
version the edit form was drawn from, as the API's `If-Match`: a form drawn before someone
else's change is refused and drawn again as the product is now."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, Parameter
from litestar.response import Redirect, Template

from commerce.application.catalog import (
    ArchiveProduct,
    archive_product,
    change_product,
    create_product,
)
from commerce.application.search_products import get_product, search_products
from commerce.domain.errors import DomainError, VersionMismatchError
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.catalog import ProductBody, ProductPatch
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.problems import domain_problem
from commerce.entrypoints.http.products import MAX_TEXT
from commerce.entrypoints.web.forms import fields, form_again
from commerce.entrypoints.web.product_form import as_values, decoded, drawn_version, variant_rows
from commerce.entrypoints.web.rendering import after_command, page
from commerce.ports.clock import Clock
from commerce.ports.product_search import ProductQuery, ProductSearch, Sort
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings

PAGE_SIZE = 50
OPERATOR = requires_role("operator")
CHANGED_MEANWHILE = (
    "Someone changed this product since you opened it. Here it is as it is now: "
    "make your change again."
)


class StaffProductPages(Controller):
    path = "/staff/products"

    # Stock operators find a product's stock page from the list; they change nothing else here.
    @get("/", name="staff-products", guards=[requires_role("operator", "stock_operator")])
    async def list_products(
        self,
        product_search: Injected[ProductSearch],
        q: Annotated[str | None, Parameter(max_length=MAX_TEXT)] = None,
        cursor: Annotated[str | None, Parameter(max_length=1000)] = None,
    ) -> Template:
        words = q.strip() if q and q.strip() else None
        sort: Sort | None = None if words else "newest"
        query = ProductQuery(q=words, sort=sort, limit=PAGE_SIZE, cursor=cursor)
        result = await search_products(query, product_search)
        return page("staff/products.html", result=result, q=words or "")

    @get("/new", name="staff-product-new", guards=[OPERATOR])
    async def new_product(self, settings: Injected[Settings]) -> Template:
        return _form(settings.currency, product=None, values={}, rows=variant_rows([]))

    @post("/", status_code=303, guards=[OPERATOR])
    async def create(
        self,
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Template | Redirect:
        form = fields(await request.form())
        try:
            body = decoded(form, settings.currency, ProductBody)
            result = await create_product(body.to_command(), uow, clock, settings.currency)
        except DomainError as error:
            return _form_again(error, form, settings.currency)
        return after_command(f"/staff/products/{result.product.id}", result.event_ids)

    @get("/{product_id:uuid}", name="staff-product", guards=[OPERATOR])
    async def edit(
        self,
        product_id: FromPath[UUID],
        product_search: Injected[ProductSearch],
        settings: Injected[Settings],
    ) -> Template:
        return await _edit_form(product_id, product_search, settings.currency)

    @post("/{product_id:uuid}", status_code=303, guards=[OPERATOR])
    async def change(
        self,
        product_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        product_search: Injected[ProductSearch],
        settings: Injected[Settings],
    ) -> Template | Redirect:
        form = fields(await request.form())
        try:
            patch = decoded(form, settings.currency, ProductPatch)
            command = patch.to_command(product_id, drawn_version(form))
            result = await change_product(command, uow, settings.currency)
        except VersionMismatchError as error:
            status = domain_problem(error)[0].status
            return await _edit_form(
                product_id, product_search, settings.currency, status, CHANGED_MEANWHILE
            )
        except DomainError as error:
            return _form_again(error, form, settings.currency, product={"id": product_id})
        return after_command(f"/staff/products/{product_id}", result.event_ids)

    @post("/{product_id:uuid}/archive", status_code=303, guards=[OPERATOR])
    async def archive(
        self, product_id: FromPath[UUID], uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Redirect:
        result = await archive_product(ArchiveProduct(product_id), uow, clock)
        return after_command("/staff/products", result.event_ids)


def _form(currency: str, status: int = 200, **context: Any) -> Template:
    return page("staff/product_form.html", status, currency=currency, **context)


async def _edit_form(
    product_id: UUID,
    product_search: ProductSearch,
    currency: str,
    status: int = 200,
    error: str | None = None,
) -> Template:
    """The edit form as the read model has the product, with the version it shows: a read model
    behind the write side draws an older version, so a change made from it is refused rather
    than undoing one it did not show (ADR 0021)."""
    product = await get_product(product_id, product_search)
    values, rows = as_values(product)
    return _form(currency, status, product=product, values=values, rows=rows, error=error)


def _form_again(
    error: DomainError, form: dict[str, str], currency: str, product: Any = None
) -> Template:
    rows = variant_rows([], form)
    return form_again(
        "staff/product_form.html", error, currency=currency, product=product, values=form, rows=rows
    )
