"""The cart as the customer sees it: the lines and code from the `carts` read model, with the
offers of the `products` read model (one `mget` of the products of the lines).

Until a read model's index exists (no worker has run yet), its answer is empty: no cart, or no
offers (every line then shows unavailable)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from elasticsearch import AsyncElasticsearch, NotFoundError

from commerce.adapters.elasticsearch.errors import answering, unavailable
from commerce.domain.cart import CartLine
from commerce.domain.pricing import CartContents
from projections.carts import mapping as carts
from projections.carts.query import (
    SOURCE_FIELDS,
    cart_contents,
    code_from_source,
    lines_from_source,
    product_ids,
)
from projections.products import mapping as products
from projections.products.document import ProductState, decode_state


def _error_type(error: Any) -> str | None:
    return error.get("type") if isinstance(error, dict) else None


class ElasticsearchCartViews:
    def __init__(self, client: AsyncElasticsearch, index_prefix: str, currency: str) -> None:
        self._client = client
        self._carts = carts.alias_name(index_prefix)
        self._products = products.alias_name(index_prefix)
        self._currency = currency

    async def get_cart(self, customer_id: UUID) -> CartContents:
        lines, code = await self._cart(customer_id)
        states = await self._product_states(product_ids(lines)) if lines else {}
        return cart_contents(lines, code, states, self._currency)

    async def _cart(self, customer_id: UUID) -> tuple[list[CartLine], str | None]:
        try:
            async with answering():
                found = await self._client.get(
                    index=self._carts, id=str(customer_id), source_includes=SOURCE_FIELDS
                )
        except NotFoundError:  # no such cart, or no carts index yet
            return [], None
        return lines_from_source(found["_source"]), code_from_source(found["_source"])

    async def _product_states(self, ids: Sequence[str]) -> dict[str, ProductState]:
        try:
            async with answering():
                response = await self._client.mget(
                    index=self._products, ids=list(ids), source=["state"]
                )
        except NotFoundError:
            return {}
        states: dict[str, ProductState] = {}
        for doc in response["docs"]:
            if "error" in doc:
                if _error_type(doc["error"]) == "index_not_found_exception":
                    continue
                raise unavailable(f"{self._products}/{doc['_id']}: {doc['error']}")
            if doc.get("found"):
                states[doc["_id"]] = decode_state(doc["_source"]["state"])
        return states
