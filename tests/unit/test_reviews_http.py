"""The review routes over HTTP: who may call them, the problems a bad body or an unverified
buyer gets, a first review and its replacement, the listing (display names, histogram, sorts,
cursors) and hiding. On the in-memory twins: nothing here needs a server."""

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.review_views import InMemoryReviewViews
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.domain.review import TITLE_MAX_LENGTH
from commerce.entrypoints.http.app import create_app
from commerce.ports.unit_of_work import UnitOfWork
from tests.shop import customer_with_cart, delivered, stocked_product
from tests.support import bearer, container_without_servers

SKU = "KT-HTTP-REVIEW"
OPERATOR = bearer("operator")


class Shop:
    def __init__(self, client: TestClient[Litestar], store: InMemoryStore, views: Any) -> None:
        self.client = client
        self.store = store
        self.views: InMemoryReviewViews = views

    def post(self, product: UUID, customer: dict[str, str], **body: Any) -> Any:
        document = {"rating": 5, "title": "Great kettle", "body": "Boils fast."} | body
        return self.client.post(f"/v1/products/{product}/reviews", json=document, headers=customer)

    def listing(self, product: UUID, **params: Any) -> Any:
        self.views.apply(self.store.outbox)
        response = self.client.get(f"/v1/products/{product}/reviews", params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def shop(store: InMemoryStore, clock: FixedClock) -> Iterator[Shop]:
    container = container_without_servers()
    container.clock.override(providers.Object(clock))
    container.uow.override(providers.Factory(lambda: InMemoryUnitOfWork(store, clock)))
    with TestClient(create_app(container.settings(), container)) as client:
        yield Shop(client, store, container.review_views())


@pytest.fixture
async def product(new_uow: Callable[[], UnitOfWork]) -> UUID:
    return await stocked_product(new_uow, {SKU: 100})


async def a_customer(
    new_uow: Callable[[], UnitOfWork], clock: FixedClock, product: UUID, *, received: bool
) -> dict[str, str]:
    customer = await customer_with_cart(new_uow, {SKU: 1}, product)
    if received:
        await delivered(new_uow, clock, customer)
    return bearer("customer", account_id=customer.id)


@pytest.fixture
async def buyer(new_uow: Callable[[], UnitOfWork], clock: FixedClock, product: UUID) -> Any:
    return await a_customer(new_uow, clock, product, received=True)


def fields_of(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("POST", "/v1/products/{id}/reviews", "customer"),
        ("POST", "/v1/admin/reviews/{id}/hide", "operator"),
        ("POST", "/v1/admin/reviews/{id}/unhide", "operator"),
    ],
)
def test_each_review_command_is_a_401_without_a_token_and_a_403_for_another_role(
    shop: Shop, method: str, path: str, role: str
) -> None:
    url = path.format(id=uuid.uuid4())
    body = {"rating": 5, "title": "Fine"}
    other = "operator" if role == "customer" else "customer"

    anonymous = shop.client.request(method, url, json=body)
    wrong_role = shop.client.request(method, url, json=body, headers=bearer(other))

    assert anonymous.status_code == 401, anonymous.text
    assert wrong_role.status_code == 403, wrong_role.text


async def test_a_customer_whose_order_is_not_delivered_gets_a_403_saying_why(
    shop: Shop, new_uow: Callable[[], UnitOfWork], clock: FixedClock, product: UUID
) -> None:
    waiting = await a_customer(new_uow, clock, product, received=False)

    refused = shop.post(product, waiting)

    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert problem["type"] == "urn:commerce:problem:not_a_verified_buyer"
    assert problem["reason"] == "not_a_verified_buyer"
    assert "delivered" in problem["detail"]
    assert shop.store.reviews == {}


def test_a_first_review_is_a_201_with_its_location_and_a_second_one_replaces_it_with_a_200(
    shop: Shop, product: UUID, buyer: dict[str, str]
) -> None:
    first = shop.post(product, buyer, rating=5)
    second = shop.post(product, buyer, rating=2, title="Rusted", body="Line one\nline two")

    assert first.status_code == 201, first.text
    review = first.json()
    assert first.headers["location"] == f"/v1/products/{product}/reviews/{review['id']}"
    assert (review["author"], review["verified"], review["rating"]) == ("Ada L.", True, 5)
    assert second.status_code == 200, second.text
    assert second.json()["id"] == review["id"]
    assert second.headers["etag"] == '"2"'
    listing = shop.listing(product)
    assert [(r["rating"], r["body"]) for r in listing["items"]] == [(2, "Line one\nline two")]
    assert listing["rating"] == {"average": 2.0, "count": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": "5"}, "rating"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * (TITLE_MAX_LENGTH + 1)}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"body": "bell \x07"}, "body"),
        ({"body": "nul \x00"}, "body"),
        ({"stars": 5}, "stars"),
    ],
)
def test_a_body_that_breaks_a_rule_is_a_422_naming_the_field_and_writes_nothing(
    shop: Shop, product: UUID, buyer: dict[str, str], body: dict[str, Any], field: str
) -> None:
    assert fields_of(shop.post(product, buyer, **body)) == [field]
    assert shop.store.reviews == {}


def test_an_unknown_product_is_a_404(shop: Shop, buyer: dict[str, str]) -> None:
    assert shop.post(uuid.uuid4(), buyer).status_code == 404


def test_the_same_idempotency_key_replays_the_first_answer_and_none_is_needed(
    shop: Shop, product: UUID, buyer: dict[str, str]
) -> None:
    keyed = buyer | {"Idempotency-Key": "review-1"}

    first = shop.post(product, keyed)
    replayed = shop.post(product, keyed)
    other_body = shop.post(product, keyed, rating=1)

    assert first.status_code == 201, first.text
    assert (replayed.status_code, replayed.headers["idempotent-replayed"]) == (201, "true")
    assert replayed.json() == first.json()
    assert fields_of(other_body) == ["Idempotency-Key"]
    assert shop.post(product, buyer, rating=4).status_code == 200


async def test_the_listing_shows_display_names_a_histogram_and_sorts_and_pages(
    shop: Shop, new_uow: Callable[[], UnitOfWork], clock: FixedClock, product: UUID
) -> None:
    for stars in (5, 3, 5, 1):
        customer = await a_customer(new_uow, clock, product, received=True)
        clock.advance(timedelta(minutes=1))
        assert shop.post(product, customer, rating=stars).status_code == 201

    newest = shop.listing(product)
    best = shop.listing(product, sort="rating_desc", limit=3)
    rest = shop.listing(product, sort="rating_desc", limit=3, cursor=best["next_cursor"])
    worst = shop.listing(product, sort="rating_asc")

    assert [r["rating"] for r in newest["items"]] == [1, 5, 3, 5]
    assert [r["rating"] for r in best["items"] + rest["items"]] == [5, 5, 3, 1]
    assert rest["next_cursor"] is None
    assert [r["rating"] for r in worst["items"]] == [1, 3, 5, 5]
    assert newest["total"] == {"value": 4, "relation": "eq"}
    assert newest["rating"] == {"average": 3.5, "count": 4}
    assert newest["histogram"] == [
        {"rating": 5, "count": 2},
        {"rating": 4, "count": 0},
        {"rating": 3, "count": 1},
        {"rating": 2, "count": 0},
        {"rating": 1, "count": 1},
    ]
    assert all(r["author"] == "Ada L." and r["verified"] for r in newest["items"])
    assert "@" not in str(newest)


async def test_a_cursor_of_another_sort_or_product_and_an_unknown_sort_are_refused(
    shop: Shop, new_uow: Callable[[], UnitOfWork], clock: FixedClock, product: UUID
) -> None:
    for stars in (4, 2):
        shop.post(product, await a_customer(new_uow, clock, product, received=True), rating=stars)
    cursor = shop.listing(product, limit=1)["next_cursor"]
    url = f"/v1/products/{product}/reviews"

    other_sort = shop.client.get(url, params={"cursor": cursor, "sort": "rating_asc"})
    other_product = shop.client.get(
        f"/v1/products/{uuid.uuid4()}/reviews", params={"cursor": cursor}
    )
    made_up = shop.client.get(url, params={"cursor": "bm9wZQ"})
    bad_sort = shop.client.get(url, params={"sort": "stars"})

    assert fields_of(other_sort) == ["cursor"]
    assert fields_of(other_product) == ["cursor"]
    assert fields_of(made_up) == ["cursor"]
    assert fields_of(bad_sort) == ["sort"]


async def test_a_hidden_review_leaves_the_listing_and_the_rating_until_shown_again(
    shop: Shop, new_uow: Callable[[], UnitOfWork], clock: FixedClock, product: UUID
) -> None:
    fan = await a_customer(new_uow, clock, product, received=True)
    critic = await a_customer(new_uow, clock, product, received=True)
    shop.post(product, fan, rating=5)
    rant = shop.post(product, critic, rating=1).json()

    hidden = shop.client.post(f"/v1/admin/reviews/{rant['id']}/hide", headers=OPERATOR)
    while_hidden = shop.listing(product)
    lookup = shop.client.get(f"/v1/products/{product}/reviews/{rant['id']}")
    shown = shop.client.post(f"/v1/admin/reviews/{rant['id']}/unhide", headers=OPERATOR)
    after = shop.listing(product)

    assert (hidden.status_code, hidden.json()["hidden"]) == (200, True)
    assert [r["rating"] for r in while_hidden["items"]] == [5]
    assert while_hidden["rating"] == {"average": 5.0, "count": 1}
    assert lookup.status_code == 404
    assert (shown.status_code, shown.json()["hidden"]) == (200, False)
    assert after["rating"] == {"average": 3.0, "count": 2}
    found = shop.client.get(f"/v1/products/{product}/reviews/{rant['id']}")
    assert found.status_code == 200
    assert found.json()["rating"] == 1


def test_hiding_an_unknown_review_is_a_404(shop: Shop) -> None:
    hidden = shop.client.post(f"/v1/admin/reviews/{uuid.uuid4()}/hide", headers=OPERATOR)

    assert hidden.status_code == 404
