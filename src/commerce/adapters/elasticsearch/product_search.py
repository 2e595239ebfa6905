"""Search, browse, detail and suggestions over the `products` index (behind its alias): the
read model's query builder (`projections.products.query`) makes each request and reads its
response; this adapter sends it."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from elasticsearch import AsyncElasticsearch, NotFoundError

from commerce.adapters.elasticsearch.errors import answering, index_missing
from commerce.ports.product_search import ProductQuery, ProductView, SearchResult, Suggestion
from projections.paging import TRACK_TOTAL_HITS
from projections.products.mapping import alias_name
from projections.products.query import (
    NOT_FOR_VIEWS,
    empty_result,
    search_requests,
    search_result,
    suggest_request,
    suggestions,
)
from projections.products.views import STOCK_FIELDS, stock_from_source, view_from_source


class ElasticsearchProductSearch:
    """Until the read model's index exists (no worker has run yet), every answer is empty."""

    def __init__(
        self,
        client: AsyncElasticsearch,
        index_prefix: str,
        track_total_hits: int = TRACK_TOTAL_HITS,
    ) -> None:
        self._client = client
        self._index = alias_name(index_prefix)
        self._track_total_hits = track_total_hits

    async def search(self, query: ProductQuery) -> SearchResult:
        hits, facets = search_requests(query, self._track_total_hits)
        try:
            async with answering():
                found, counted = await self._search_together(hits, facets)
        except NotFoundError as error:
            if index_missing(error):
                return empty_result()
            raise
        return search_result(found, counted, query)

    async def _search_together(self, *bodies: dict[str, Any]) -> list[dict[str, Any]]:
        """Each body searched at the same time; the first failure raised once all are done."""
        answers = await asyncio.gather(
            *(self._client.search(index=self._index, **body) for body in bodies),
            return_exceptions=True,
        )
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        return [dict(answer.body) for answer in answers if not isinstance(answer, BaseException)]

    async def get(self, product_id: UUID) -> ProductView | None:
        try:
            async with answering():
                found = await self._client.get(
                    index=self._index, id=str(product_id), source_excludes=NOT_FOR_VIEWS
                )
        except NotFoundError:
            return None
        source = found["_source"]
        return view_from_source(source) if source.get("visible") else None

    async def stock_levels(self, product_id: UUID) -> dict[str, int] | None:
        try:
            async with answering():
                found = await self._client.get(
                    index=self._index, id=str(product_id), source_includes=STOCK_FIELDS
                )
        except NotFoundError:
            return None
        return stock_from_source(found["_source"])

    async def suggest(self, text: str) -> list[Suggestion]:
        request = suggest_request(text)
        if request is None:
            return []
        try:
            async with answering():
                response = await self._client.search(index=self._index, **request)
        except NotFoundError as error:
            if index_missing(error):
                return []
            raise
        return suggestions(response.body, request)
