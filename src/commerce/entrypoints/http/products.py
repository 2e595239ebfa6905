"""Search and browse: `GET /v1/products`, its detail and suggestions (read side only)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import FromPath, Parameter

from commerce.adapters.prometheus.commands import timed_search
from commerce.application.search_products import get_product, search_products, suggest_products
from commerce.domain.errors import DomainValidationError
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.problems import (
    problem_specs,
)
from commerce.entrypoints.http.responses import version_headers
from commerce.ports.product_search import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ProductQuery,
    ProductSearch,
    ProductView,
    SearchResult,
    Sort,
    Suggestion,
)

MAX_AMOUNT = 10**12
MAX_VALUES = 20
MAX_TEXT = 200
ATTRIBUTE_PREFIX = "attr."

_SEARCH_DESCRIPTION = f"""Full-text search and browse with disjunctive facets.

Besides the parameters below, `attr.<name>=<value>` filters on a product or variant attribute
(repeatable, e.g. `attr.color=red&attr.color=blue&attr.size=L`: values of one name are
alternatives, names all apply; at most {MAX_VALUES}, compared without case or accents).
`highlight` is present only with `q`: the matched words in `<em>`, the rest HTML-escaped."""


def attribute_filters(params: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The `attr.<name>=<value>` pairs among a query string's parameters, checked."""
    pairs = [
        (key.removeprefix(ATTRIBUTE_PREFIX), value)
        for key, value in params
        if key.startswith(ATTRIBUTE_PREFIX)
    ]
    if len(pairs) > MAX_VALUES:
        raise DomainValidationError("attr", f"at most {MAX_VALUES} attribute filters")
    for name, value in pairs:
        if not name or len(name) > MAX_TEXT or len(value) > MAX_TEXT:
            raise DomainValidationError(
                f"attr.{name[:MAX_TEXT]}", f"name and value must be 1-{MAX_TEXT} characters"
            )
    return tuple(pairs)


def filter_values(field: str, values: Sequence[str] | None) -> tuple[str, ...]:
    if len(values or ()) > MAX_VALUES:
        raise DomainValidationError(field, f"at most {MAX_VALUES} values")
    for value in values or []:
        if len(value) > MAX_TEXT:
            raise DomainValidationError(field, f"each value must be at most {MAX_TEXT} characters")
    return tuple(values or ())


class ProductsController(Controller):
    path = "/v1/products"
    tags = ["products"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get(
        "/",
        operation_id="searchProducts",
        summary="Search and browse products",
        description=_SEARCH_DESCRIPTION,
        responses=problem_specs(422, 503),
    )
    async def search(
        self,
        *,
        request: Request[object, object, State],
        product_search: Injected[ProductSearch],
        q: Annotated[
            str | None,
            Parameter(
                description="Words to find in name, brand, description and category; "
                "typo tolerant, accents and case ignored.",
                max_length=MAX_TEXT,
            ),
        ] = None,
        category: Annotated[
            list[str] | None,
            Parameter(
                description="Category path prefix, e.g. `electronics` matches "
                "`electronics/phones` (repeatable: any of them).",
                max_items=MAX_VALUES,
            ),
        ] = None,
        brand: Annotated[
            list[str] | None,
            Parameter(description="Brand (repeatable: any of them).", max_items=MAX_VALUES),
        ] = None,
        price_min: Annotated[
            int | None,
            Parameter(description="Lowest effective price, minor units.", ge=0, le=MAX_AMOUNT),
        ] = None,
        price_max: Annotated[
            int | None,
            Parameter(description="Highest effective price, minor units.", ge=0, le=MAX_AMOUNT),
        ] = None,
        in_stock: Annotated[
            bool | None, Parameter(description="Only products with (or without) stock.")
        ] = None,
        on_sale: Annotated[
            bool | None, Parameter(description="Only products on (or not on) sale.")
        ] = None,
        rating_min: Annotated[
            float | None, Parameter(description="Lowest average rating, 1-5.", ge=1, le=5)
        ] = None,
        sort: Annotated[
            Sort | None,
            Parameter(
                description="Default: `relevance` with `q`, `newest` without. `relevance` "
                "without `q` orders by newest."
            ),
        ] = None,
        limit: Annotated[
            int, Parameter(description="Page size.", ge=1, le=MAX_LIMIT)
        ] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None,
            Parameter(
                description="`next_cursor` of the previous page, with the same sort.",
                max_length=1000,
            ),
        ] = None,
    ) -> SearchResult:
        query = ProductQuery(
            q=q,
            categories=filter_values("category", category),
            brands=filter_values("brand", brand),
            price_min=price_min,
            price_max=price_max,
            in_stock=in_stock,
            on_sale=on_sale,
            rating_min=rating_min,
            attributes=attribute_filters(request.query_params.multi_items()),
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
        with timed_search("text" if query.q else "browse"):
            return await search_products(query, product_search)

    @get(
        "/suggest",
        operation_id="suggestProducts",
        summary="Up to 8 products completing what is typed",
        responses=problem_specs(422, 503),
    )
    async def suggest(
        self,
        *,
        product_search: Injected[ProductSearch],
        q: Annotated[
            str,
            Parameter(
                description="What the shopper typed so far (prefix, typo tolerant); "
                "nothing typed, nothing suggested.",
                max_length=MAX_TEXT,
            ),
        ] = "",
    ) -> list[Suggestion]:
        with timed_search("suggest"):
            return await suggest_products(q, product_search)

    @get(
        "/{product_id:uuid}",
        operation_id="getProduct",
        summary="A product's detail",
        responses=problem_specs(404, 422, 503),
    )
    async def detail(
        self, product_id: FromPath[UUID], product_search: Injected[ProductSearch]
    ) -> Response[ProductView]:
        with timed_search("detail"):
            product = await get_product(product_id, product_search)
        return Response(product, headers=version_headers(product.version))
