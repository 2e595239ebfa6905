"""The review views contract, held by the in-memory twin and by Elasticsearch alike.

Both are fed the same events, made by the real `Review` aggregate: the twin through its own
`apply`, Elasticsearch through the real projection (`ReviewsProjection.project`)."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import pytest
from elasticsearch import Elasticsearch

from commerce.adapters.elasticsearch.client import create_client
from commerce.adapters.elasticsearch.review_views import ElasticsearchReviewViews
from commerce.adapters.envelopes import envelopes_for
from commerce.adapters.memory.review_views import InMemoryReviewViews
from commerce.domain.events import EventEnvelope
from commerce.domain.review import Review, ReviewText
from commerce.ports.product_search import InvalidCursorError
from commerce.ports.review_views import ReviewPage, ReviewQuery, ReviewViews
from commerce.settings import Settings
from projections.reviews.projector import ReviewsProjection
from tests.support import ELASTICSEARCH_TIMEOUT, NOW

_counter = itertools.count()
KETTLE = uuid.UUID("00000000-0000-4000-8000-0000000000aa")


@dataclass
class Reviews:
    views: ReviewViews
    apply: Callable[[Sequence[EventEnvelope]], Awaitable[None]]

    async def page(self, product_id: UUID = KETTLE, **query: object) -> ReviewPage:
        return await self.views.list_reviews(ReviewQuery(product_id=product_id, **query))  # type: ignore[arg-type]

    async def stars(self, **query: object) -> list[int]:
        return [item.rating for item in (await self.page(**query)).items]


def a_review(
    stars: int, minutes: int = 0, product_id: UUID = KETTLE
) -> tuple[Review, list[EventEnvelope]]:
    at = NOW + timedelta(minutes=minutes)
    review = Review.post(
        review_id=uuid.uuid4(),
        product_id=product_id,
        customer_id=uuid.uuid4(),
        author="Ada L.",
        text=ReviewText(stars=stars, title=f"{stars} stars", body="Line one\nline two"),
        now=at,
    )
    return review, envelopes_for(review, at)


@pytest.fixture(scope="module")
def es_module(stack_settings: Settings) -> Iterator[tuple[Elasticsearch, str]]:
    client = Elasticsearch(stack_settings.elasticsearch_url, request_timeout=30)
    prefix = f"test-reviews-{uuid.uuid4().hex[:10]}"
    yield client, prefix
    for name in client.indices.get(index=f"{prefix}-*", allow_no_indices=True):
        client.indices.delete(index=name)
    client.close()


@pytest.fixture(params=["memory", "elasticsearch"])
async def reviews(request: pytest.FixtureRequest) -> AsyncIterator[Reviews]:
    if request.param == "memory":
        twin = InMemoryReviewViews()

        async def apply_to_twin(events: Sequence[EventEnvelope]) -> None:
            twin.apply(events)

        yield Reviews(twin, apply_to_twin)
        return
    sync_client, module_prefix = request.getfixturevalue("es_module")
    settings: Settings = request.getfixturevalue("stack_settings")
    prefix = f"{module_prefix}-{next(_counter)}"
    projection = ReviewsProjection(prefix)
    projection.ensure_index(sync_client)
    client = create_client(settings.elasticsearch_url, ELASTICSEARCH_TIMEOUT)

    async def apply_to_index(events: Sequence[EventEnvelope]) -> None:
        await asyncio.to_thread(projection.project, sync_client, events)
        await client.indices.refresh(index=projection.alias)

    try:
        yield Reviews(ElasticsearchReviewViews(client, prefix), apply_to_index)
    finally:
        await client.close()


async def test_a_products_reviews_are_listed_newest_first_with_their_histogram(
    reviews: Reviews,
) -> None:
    for stars, minutes in ((5, 0), (2, 1), (5, 2), (4, 3)):
        await reviews.apply(a_review(stars, minutes)[1])
    await reviews.apply(a_review(1, 4, product_id=uuid.uuid4())[1])  # another product's

    page = await reviews.page()

    assert [item.rating for item in page.items] == [4, 5, 2, 5]
    assert (page.total.value, page.rating.average, page.rating.count) == (4, 4.0, 4)
    assert [(bar.rating, bar.count) for bar in page.histogram] == [
        (5, 2),
        (4, 1),
        (3, 0),
        (2, 1),
        (1, 0),
    ]
    first = page.items[0]
    assert (first.author, first.verified, first.body) == ("Ada L.", True, "Line one\nline two")


async def test_the_rating_sorts_page_through_every_review_once(reviews: Reviews) -> None:
    for stars, minutes in ((3, 0), (5, 1), (1, 2), (5, 3), (3, 4)):
        await reviews.apply(a_review(stars, minutes)[1])

    pages, cursor = [], None
    while True:
        page = await reviews.page(sort="rating_desc", limit=2, cursor=cursor)
        pages.append([item.rating for item in page.items])
        if (cursor := page.next_cursor) is None:
            break

    assert pages == [[5, 5], [3, 3], [1]]
    assert await reviews.stars(sort="rating_asc") == [1, 3, 3, 5, 5]


async def test_a_cursor_of_another_sort_is_refused(reviews: Reviews) -> None:
    for stars in (1, 2):
        await reviews.apply(a_review(stars)[1])
    cursor = (await reviews.page(limit=1)).next_cursor

    with pytest.raises(InvalidCursorError):
        await reviews.page(sort="rating_desc", cursor=cursor)


async def test_a_hidden_review_is_neither_listed_counted_nor_found_and_redelivery_is_harmless(
    reviews: Reviews,
) -> None:
    kept, kept_events = a_review(5)
    rant, posted = a_review(1, 1)
    rant.hide(NOW)
    hidden = envelopes_for(rant, NOW)
    await reviews.apply([*kept_events, *posted, *hidden])

    await reviews.apply(posted)  # the old event again, late

    page = await reviews.page()
    assert [item.rating for item in page.items] == [5]
    assert (page.rating.average, page.rating.count) == (5.0, 1)
    assert await reviews.views.get_review(rant.id) is None
    assert (await reviews.views.get_review(kept.id)) is not None


async def test_an_edited_review_shows_its_newest_text_once(reviews: Reviews) -> None:
    review, posted = a_review(5)
    review.replace(ReviewText(stars=2, title="Changed my mind"), "Ada L.", NOW + timedelta(days=1))
    edited = envelopes_for(review, NOW)

    await reviews.apply([*edited, *posted])

    page = await reviews.page()
    assert [(item.rating, item.title) for item in page.items] == [(2, "Changed my mind")]
