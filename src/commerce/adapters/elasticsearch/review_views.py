"""A product's reviews over the `reviews` index (behind its alias): the read model's query
builder (`projections.reviews.query`) makes the request and reads the response; this adapter
sends it. Until the index exists (no worker has run yet), there are no reviews."""

from __future__ import annotations

from uuid import UUID

from elasticsearch import AsyncElasticsearch, NotFoundError

from commerce.adapters.elasticsearch.errors import answering, search_read_model
from commerce.ports.review_views import ReviewPage, ReviewQuery, ReviewView
from projections.paging import TRACK_TOTAL_HITS
from projections.reviews.document import view_from_source
from projections.reviews.mapping import alias_name
from projections.reviews.query import empty_page, list_request, review_page


class ElasticsearchReviewViews:
    def __init__(
        self,
        client: AsyncElasticsearch,
        index_prefix: str,
        track_total_hits: int = TRACK_TOTAL_HITS,
    ) -> None:
        self._client = client
        self._index = alias_name(index_prefix)
        self._track_total_hits = track_total_hits

    async def list_reviews(self, query: ReviewQuery) -> ReviewPage:
        request = list_request(query, self._track_total_hits)
        body = await search_read_model(self._client, self._index, request)
        return review_page(body, query) if body is not None else empty_page(query)

    async def get_review(self, review_id: UUID) -> ReviewView | None:
        try:
            async with answering():
                found = await self._client.get(index=self._index, id=str(review_id))
        except NotFoundError:
            return None
        source = found["_source"]
        return None if source["hidden"] else view_from_source(source)
