"""Query handlers of search and browse: they read the `products` read model only."""

from __future__ import annotations

from uuid import UUID

from commerce.domain.errors import DomainValidationError, NotFoundError
from commerce.ports.product_search import (
    MAX_LIMIT,
    SUGGESTION_LIMIT,
    InvalidCursorError,
    ProductQuery,
    ProductSearch,
    ProductView,
    SearchResult,
    Suggestion,
)


async def search_products(query: ProductQuery, search: ProductSearch) -> SearchResult:
    """Raise `DomainValidationError` naming the field for a query that cannot be answered."""
    _check(query)
    try:
        return await search.search(query)
    except InvalidCursorError as error:
        raise DomainValidationError("cursor", str(error)) from None


async def get_product(product_id: UUID, search: ProductSearch) -> ProductView:
    """Raise `NotFoundError` for an unknown or archived product."""
    product = await search.get(product_id)
    if product is None:
        raise NotFoundError(f"no product {product_id}")
    return product


async def suggest_products(text: str, search: ProductSearch) -> list[Suggestion]:
    if not text.strip():
        return []
    return (await search.suggest(text))[:SUGGESTION_LIMIT]


def _check(query: ProductQuery) -> None:
    if not 1 <= query.limit <= MAX_LIMIT:
        raise DomainValidationError("limit", f"must be between 1 and {MAX_LIMIT}")
    if query.rating_min is not None and not 1 <= query.rating_min <= 5:
        raise DomainValidationError("rating_min", "must be between 1 and 5")
    for field, value in (("price_min", query.price_min), ("price_max", query.price_max)):
        if value is not None and value < 0:
            raise DomainValidationError(field, "must not be negative")
    if (
        query.price_min is not None
        and query.price_max is not None
        and query.price_min > query.price_max
    ):
        raise DomainValidationError("price_min", "must not be greater than price_max")
