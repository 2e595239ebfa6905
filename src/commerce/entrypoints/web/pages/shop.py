"""Search and suggestions: the `products` read model only (the product page: `product.py`)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Template

from commerce.application.search_products import search_products, suggest_products
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.products import MAX_TEXT
from commerce.entrypoints.web.rendering import is_htmx, page
from commerce.entrypoints.web.search_state import (
    price_value,
    range_value,
    search_params,
    search_query,
)
from commerce.ports.product_search import SORTS, ProductQuery, ProductSearch


class ShopPages(Controller):
    path = "/"

    @get("/", name="home")
    async def search(
        self, request: Request[Any, Any, Any], product_search: Injected[ProductSearch]
    ) -> Template:
        """Home and search at once: no words and no filter browses the newest products."""
        query = search_query(request.query_params.multi_items())
        result = await search_products(query, product_search)
        more = search_params(query, cursor=result.next_cursor) if result.next_cursor else None
        context: dict[str, Any] = {
            "query": query,
            "result": result,
            "more": more,
            "sorts": SORTS,
            "range_value": range_value,
            "chosen_price": _chosen_price(query),
        }
        if is_htmx(request):
            # "Load more" asks for the next items only; a changed filter, for the results.
            fragment = "_more.html" if query.cursor else "_results.html"
            return page(fragment, **context)
        return page("search.html", **context)

    @get("/suggest", name="suggest")
    async def suggest(
        self,
        product_search: Injected[ProductSearch],
        q: Annotated[str, Parameter(max_length=MAX_TEXT)] = "",
    ) -> Template:
        """Options for the search box's list while the shopper types."""
        return page("_suggestions.html", suggestions=await suggest_products(q, product_search))


def _chosen_price(query: ProductQuery) -> str:
    if query.price_min is None and query.price_max is None:
        return ""
    return price_value(query.price_min, query.price_max)
