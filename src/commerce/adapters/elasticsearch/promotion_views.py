"""Staff's sales and promo codes over the `promotions` index (behind its alias): the read
model's query builder (`projections.promotions.query`) makes each request and reads its
response; this adapter sends it. Until the index exists (no worker has run yet), lists are
empty and look-ups find nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from elasticsearch import AsyncElasticsearch, NotFoundError

from commerce.adapters.elasticsearch.errors import answering, search_read_model
from commerce.ports.promotion_views import (
    PromoCodePage,
    PromoCodeQuery,
    PromoCodeView,
    SalePage,
    SaleQuery,
    SaleView,
)
from projections.paging import TRACK_TOTAL_HITS
from projections.promotions.document import code_doc_id, sale_doc_id
from projections.promotions.mapping import alias_name
from projections.promotions.query import (
    SOURCE,
    code_page,
    codes_request,
    empty_codes,
    empty_sales,
    found_code,
    found_sale,
    sale_page,
    sales_request,
)


class ElasticsearchPromotionViews:
    def __init__(
        self,
        client: AsyncElasticsearch,
        index_prefix: str,
        track_total_hits: int = TRACK_TOTAL_HITS,
    ) -> None:
        self._client = client
        self._index = alias_name(index_prefix)
        self._track_total_hits = track_total_hits

    async def get_sale(self, sale_id: UUID, now: datetime) -> SaleView | None:
        source = await self._get(sale_doc_id(sale_id))
        return found_sale(source, now) if source is not None else None

    async def list_sales(self, query: SaleQuery) -> SalePage:
        response = await self._search(sales_request(query, self._track_total_hits))
        return sale_page(response, query) if response is not None else empty_sales()

    async def get_code(self, code: str, now: datetime) -> PromoCodeView | None:
        source = await self._get(code_doc_id(code))
        return found_code(source, now) if source is not None else None

    async def list_codes(self, query: PromoCodeQuery) -> PromoCodePage:
        response = await self._search(codes_request(query, self._track_total_hits))
        return code_page(response, query) if response is not None else empty_codes()

    async def _get(self, doc_id: str) -> dict[str, Any] | None:
        try:
            async with answering():
                found = await self._client.get(index=self._index, id=doc_id, source_includes=SOURCE)
        except NotFoundError:  # no such document, or no index yet
            return None
        source: dict[str, Any] = found["_source"]
        return source

    async def _search(self, request: dict[str, Any]) -> dict[str, Any] | None:
        return await search_read_model(self._client, self._index, request)
