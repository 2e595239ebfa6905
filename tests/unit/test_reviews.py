"""Reviews on the in-memory shop: only a customer whose order of the product was delivered may
review it, a second review replaces the first, hiding and showing move the product's rating,
and the text's rules."""

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore
from commerce.application.catalog import ArchiveProduct, archive_product
from commerce.application.reviews import PostReview, hide_review, post_review, show_review
from commerce.domain.account import Account
from commerce.domain.errors import DomainValidationError, NotFoundError
from commerce.domain.rating import ProductRating
from commerce.domain.review import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    NotAVerifiedBuyerError,
    ReviewText,
    display_name,
)
from commerce.ports.unit_of_work import UnitOfWork
from tests.shop import check_out, customer_with_cart, delivered, paid, stocked_product

NewUnitOfWork = Callable[[], UnitOfWork]
SKU = "KT-REVIEW"


@pytest.fixture
async def product(new_uow: NewUnitOfWork) -> UUID:
    return await stocked_product(new_uow, {SKU: 100})


async def a_buyer(new_uow: NewUnitOfWork, product: UUID) -> Account:
    return await customer_with_cart(new_uow, {SKU: 1}, product)


async def a_verified_buyer(new_uow: NewUnitOfWork, clock: FixedClock, product: UUID) -> Account:
    customer = await a_buyer(new_uow, product)
    await delivered(new_uow, clock, customer)
    return customer


async def review(
    new_uow: NewUnitOfWork,
    clock: FixedClock,
    product: UUID,
    customer: Account,
    stars: int = 5,
    **text: Any,
) -> Any:
    command = PostReview(
        review_id=uuid4(),
        product_id=product,
        customer_id=customer.id,
        text=ReviewText(stars=stars, title=text.pop("title", "Great kettle"), **text),
    )
    return await post_review(command, new_uow(), clock)


async def rating_of(new_uow: NewUnitOfWork, product: UUID) -> tuple[int, float]:
    async with new_uow() as uow:
        rating: ProductRating = await uow.product_ratings.get(product)
    return rating.count, rating.average


async def test_a_customer_whose_order_is_not_delivered_yet_may_not_review(
    new_uow: NewUnitOfWork, clock: FixedClock, product: UUID
) -> None:
    never_ordered = await a_buyer(new_uow, product)
    placed = await a_buyer(new_uow, product)
    paid_for = await a_buyer(new_uow, product)
    await check_out(new_uow, clock, placed)
    await paid(new_uow, clock, await check_out(new_uow, clock, paid_for))

    for customer in (never_ordered, placed, paid_for):
        with pytest.raises(NotAVerifiedBuyerError):
            await review(new_uow, clock, product, customer)

    assert await rating_of(new_uow, product) == (0, 0.0)


async def test_a_delivered_order_makes_a_verified_review_that_counts_in_the_rating(
    new_uow: NewUnitOfWork, clock: FixedClock, product: UUID, store: InMemoryStore
) -> None:
    customer = await a_verified_buyer(new_uow, clock, product)

    result = await review(new_uow, clock, product, customer, stars=4)

    assert result.created
    assert result.review.author == "Ada L."
    assert await rating_of(new_uow, product) == (1, 4.0)
    assert {e.type for e in store.outbox[-2:]} == {"ReviewPosted", "ProductRatingChanged"}


async def test_a_second_review_replaces_the_first_and_the_count_does_not_grow(
    new_uow: NewUnitOfWork, clock: FixedClock, product: UUID, store: InMemoryStore
) -> None:
    customer = await a_verified_buyer(new_uow, clock, product)
    other = await a_verified_buyer(new_uow, clock, product)
    first = await review(new_uow, clock, product, customer, stars=5)
    await review(new_uow, clock, product, other, stars=4)

    second = await review(new_uow, clock, product, customer, stars=1, title="Broke in a week")

    assert not second.created
    assert second.review.id == first.review.id
    assert second.review.text.title == "Broke in a week"
    assert len(store.reviews) == 2
    assert await rating_of(new_uow, product) == (2, 2.5)
    assert {e.type for e in store.outbox[-2:]} == {"ReviewEdited", "ProductRatingChanged"}


async def test_posting_the_same_review_again_changes_nothing(
    new_uow: NewUnitOfWork, clock: FixedClock, product: UUID, store: InMemoryStore
) -> None:
    customer = await a_verified_buyer(new_uow, clock, product)
    await review(new_uow, clock, product, customer, stars=5)
    recorded = len(store.outbox)

    again = await review(new_uow, clock, product, customer, stars=5)

    assert again.event_ids == []
    assert len(store.outbox) == recorded


async def test_hiding_takes_a_review_out_of_the_rating_and_showing_puts_it_back(
    new_uow: NewUnitOfWork, clock: FixedClock, product: UUID
) -> None:
    fan = await a_verified_buyer(new_uow, clock, product)
    critic = await a_verified_buyer(new_uow, clock, product)
    await review(new_uow, clock, product, fan, stars=5)
    rant = (await review(new_uow, clock, product, critic, stars=1)).review

    hidden = await hide_review(rant.id, new_uow(), clock)
    hidden_twice = await hide_review(rant.id, new_uow(), clock)
    rating_while_hidden = await rating_of(new_uow, product)
    await review(new_uow, clock, product, critic, stars=2, title="Still bad")
    edited_while_hidden = await rating_of(new_uow, product)
    shown = await show_review(rant.id, new_uow(), clock)

    assert hidden.review.hidden
    assert hidden_twice.event_ids == []
    assert rating_while_hidden == (1, 5.0)
    assert edited_while_hidden == (1, 5.0)  # its author editing it keeps it hidden
    assert not shown.review.hidden
    assert await rating_of(new_uow, product) == (2, 3.5)


async def test_an_unknown_or_archived_product_or_review_is_not_found(
    new_uow: NewUnitOfWork, clock: FixedClock, product: UUID
) -> None:
    customer = await a_verified_buyer(new_uow, clock, product)
    await archive_product(ArchiveProduct(product_id=product), new_uow(), clock)

    with pytest.raises(NotFoundError):
        await review(new_uow, clock, uuid4(), customer)
    with pytest.raises(NotFoundError):
        await review(new_uow, clock, product, customer)
    with pytest.raises(NotFoundError):
        await hide_review(uuid4(), new_uow(), clock)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (ReviewText(stars=0, title="Meh"), "rating"),
        (ReviewText(stars=6, title="Wow"), "rating"),
        (ReviewText(stars=3, title="   "), "title"),
        (ReviewText(stars=3, title="x" * (TITLE_MAX_LENGTH + 1)), "title"),
        (ReviewText(stars=3, title="Two\nlines"), "title"),
        (ReviewText(stars=3, title="Bell\x07"), "title"),
        (ReviewText(stars=3, title="Ok", body="x" * (BODY_MAX_LENGTH + 1)), "body"),
        (ReviewText(stars=3, title="Ok", body="nul \x00 byte"), "body"),
    ],
)
def test_a_review_text_that_breaks_a_rule_is_refused_naming_its_field(
    text: ReviewText, field: str
) -> None:
    with pytest.raises(DomainValidationError) as refused:
        text.checked()

    assert refused.value.field == field


def test_a_body_may_hold_line_breaks_and_tabs_and_the_title_is_trimmed() -> None:
    text = ReviewText(stars=4, title="  Solid  ", body="Pros:\n\t- quick\r\nCons: none")

    assert text.checked() == ReviewText(stars=4, title="Solid", body=text.body)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Ada Lovelace", "Ada L."),
        ("Ada King Lovelace", "Ada L."),
        ("Cher", "Cher"),
        ("", "A customer"),
    ],
)
def test_a_reviewer_is_shown_by_first_name_and_last_initial(name: str, shown: str) -> None:
    assert display_name(name) == shown
