"""Reviews on the product page, with in-memory twins: the rating, its histogram and the reviews
by cursor from the reviews read model, and the "write a review" form, which goes through the
API's command and shows its refusals on the page."""

from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.review_views import InMemoryReviewViews
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.application.reviews import PostReview, post_review
from commerce.container import Container
from commerce.domain.review import ReviewText
from commerce.entrypoints.web.pages.product import REVIEWS_PER_PAGE
from tests.shop import customer_with_cart, delivered, stocked_product
from tests.storefront import browser, csrf_token, search_index, signed_up, storefront_container
from tests.support import NOW, bearer

SKU = "RV-KETTLE"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def container(clock: FixedClock) -> Container:
    return storefront_container(clock)


@pytest.fixture
def store(container: Container) -> InMemoryStore:
    uow = container.uow()
    assert isinstance(uow, InMemoryUnitOfWork)
    return uow.store


@pytest.fixture
async def product(container: Container, store: InMemoryStore) -> UUID:
    """A product on sale on the write side, and searchable."""
    product_id = await stocked_product(container.uow, {SKU: 50})
    search_index(container).project(store.outbox)
    return product_id


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Litestar]]:
    with browser(container) as client:
        yield client


def read_models_caught_up(container: Container, store: InMemoryStore) -> None:
    views = container.review_views()
    assert isinstance(views, InMemoryReviewViews)
    views.apply(store.outbox)


async def reviewed(container: Container, clock: FixedClock, product: UUID, *stars: int) -> None:
    """One review per rating in `stars`, each by another customer who received the product;
    each written a minute after the one before."""
    for index, rating in enumerate(stars):
        customer = await customer_with_cart(container.uow, {SKU: 1}, product)
        await delivered(container.uow, clock, customer)
        clock.advance(timedelta(minutes=1))
        text = ReviewText(stars=rating, title=f"Review {index}", body="Line one\nline two")
        command = PostReview(
            review_id=customer.id, product_id=product, customer_id=customer.id, text=text
        )
        await post_review(command, container.uow(), clock)


async def a_verified_buyer(
    client: TestClient[Litestar], container: Container, clock: FixedClock, product: UUID
) -> None:
    """The browser signed in as a customer whose order of the product was delivered."""
    customer = await customer_with_cart(container.uow, {SKU: 1}, product)
    await delivered(container.uow, clock, customer)
    issued = container.token_issuer().issue(customer.id, frozenset(customer.roles))
    client.cookies.set("session", issued.access_token)


def review_form(client: TestClient[Litestar], **values: str) -> dict[str, str]:
    token = csrf_token(client)
    return {"_csrf_token": token, "rating": "4", "title": "Boils fast", "body": "Quiet too."} | (
        values
    )


async def test_the_product_page_shows_the_rating_its_histogram_and_the_newest_reviews(
    client: TestClient[Litestar],
    container: Container,
    store: InMemoryStore,
    clock: FixedClock,
    product: UUID,
) -> None:
    await reviewed(container, clock, product, 5, 5, 4, 1)
    read_models_caught_up(container, store)

    page = client.get(f"/products/{product}")

    assert page.status_code == 200
    assert "Rated 3.8 of 5" in page.text
    assert "(4 reviews)" in page.text
    for stars, count in ((5, 2), (4, 1), (3, 0), (2, 0), (1, 1)):
        assert f'max="4" value="{count}" aria-labelledby="stars-{stars}"' in page.text
    assert page.text.index("Review 3") < page.text.index("Review 0")  # newest first
    assert "1 of 5 stars" in page.text
    assert "Verified buyer" in page.text
    lowest = client.get(f"/products/{product}", params={"sort": "rating_asc"})
    assert lowest.text.index("Review 3") < lowest.text.index("Review 2")


async def test_more_reviews_than_a_page_are_reached_by_a_cursor_link_that_keeps_the_sort(
    client: TestClient[Litestar],
    container: Container,
    store: InMemoryStore,
    clock: FixedClock,
    product: UUID,
) -> None:
    await reviewed(container, clock, product, *([3] * (REVIEWS_PER_PAGE + 1)))
    read_models_caught_up(container, store)

    first = client.get(f"/products/{product}", params={"sort": "rating_desc"})
    link = first.text.split('">More reviews</a>')[0].rsplit('href="', 1)[1].replace("&amp;", "&")
    second = client.get(link)

    assert "sort=rating_desc" in link
    assert first.text.count("3 of 5 stars") == REVIEWS_PER_PAGE
    assert second.status_code == 200
    assert second.text.count("3 of 5 stars") == 1
    assert "More reviews" not in second.text
    broken = client.get(f"/products/{product}", params={"cursor": "not-a-cursor"})
    assert broken.status_code == 422
    assert "cursor" in broken.text


def test_a_product_without_reviews_says_so_and_asks_a_visitor_to_sign_in_to_write_one(
    client: TestClient[Litestar], product: UUID
) -> None:
    page = client.get(f"/products/{product}")

    assert "No reviews yet." in page.text
    assert "Sign in to write a review" in page.text
    assert 'action="/products/' not in page.text.split('id="reviews"')[1]
    posted = client.post(f"/products/{product}/reviews", data=review_form(client))
    assert posted.status_code == 303  # the guard sends a visitor to sign in
    assert posted.headers["location"].startswith("/sign-in")


async def test_a_customer_who_received_the_product_reviews_it_from_its_page(
    client: TestClient[Litestar],
    container: Container,
    store: InMemoryStore,
    clock: FixedClock,
    product: UUID,
) -> None:
    await a_verified_buyer(client, container, clock, product)

    posted = client.post(f"/products/{product}/reviews", data=review_form(client))
    read_models_caught_up(container, store)
    page = client.get(posted.headers["location"])

    assert posted.status_code == 303
    assert posted.headers["location"] == f"/products/{product}#reviews"
    assert "consistency" in posted.headers["set-cookie"]  # the page waits for the review
    assert "Boils fast" in page.text
    assert "Rated 4.0 of 5" in page.text
    assert "Ada L." in page.text


async def test_a_customer_whose_order_was_not_delivered_is_told_why_on_the_page(
    client: TestClient[Litestar], store: InMemoryStore, product: UUID
) -> None:
    signed_up(client)

    answer = client.post(f"/products/{product}/reviews", data=review_form(client))

    assert answer.status_code == 403
    assert "you can review it once your order has been delivered" in answer.text
    assert 'value="Boils fast"' in answer.text  # what they wrote is kept
    assert ">Quiet too.</textarea>" in answer.text
    assert 'value="4" required checked' in answer.text
    assert store.reviews == {}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"rating": ""}, "rating: is required"),
        ({"rating": "6"}, "rating: must be at most 5"),
        ({"title": "x" * 121}, "title: must be at most 120 characters"),
        ({"title": "   "}, "title: is required"),
    ],
)
async def test_a_review_with_bad_input_says_what_to_change_and_stores_nothing(
    client: TestClient[Litestar],
    container: Container,
    store: InMemoryStore,
    clock: FixedClock,
    product: UUID,
    values: dict[str, str],
    message: str,
) -> None:
    await a_verified_buyer(client, container, clock, product)

    answer = client.post(f"/products/{product}/reviews", data=review_form(client, **values))

    assert answer.status_code == 422
    assert message in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert store.reviews == {}


def test_staff_cannot_review_from_the_page(client: TestClient[Litestar], product: UUID) -> None:
    client.cookies.set("session", bearer("operator")["Authorization"].removeprefix("Bearer "))

    page = client.get(f"/products/{product}")
    answer = client.post(f"/products/{product}/reviews", data=review_form(client))

    assert "Write a review" not in page.text
    assert answer.status_code == 403
    assert "needs the role customer" in answer.text
