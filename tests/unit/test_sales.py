"""A sale's rules: what staff may create, when it is in force, and the events the scheduler
and staff record (each at most once)."""

import uuid
from datetime import datetime, timedelta

import pytest

from commerce.domain.errors import DomainValidationError, NotFoundError
from commerce.domain.pricing import (
    Discount,
    SaleCreated,
    SaleDeleted,
    SaleEnded,
    SaleNotStartedError,
    SaleStarted,
    SaleStatus,
    SaleTargets,
)
from commerce.domain.values import Money
from tests.pricing import DAY, a_sale, amount, percent
from tests.support import NOW, eur

HOUR = timedelta(hours=1)


def event_types(sale_events: list[tuple[int, object]]) -> list[str]:
    return [type(event).__name__ for _, event in sale_events]


@pytest.mark.parametrize(
    ("discount", "field"),
    [
        (Discount(), "percent_off"),
        (Discount(percent_off=10, amount_off=eur(100)), "percent_off"),
        (Discount(percent_off=0), "percent_off"),
        (Discount(percent_off=101), "percent_off"),
        (Discount(amount_off=eur(0)), "amount_off.amount"),
        (Discount(amount_off=Money(100, "USD")), "amount_off.currency"),
    ],
)
def test_a_sale_takes_either_a_percentage_or_a_positive_store_amount(
    discount: Discount, field: str
) -> None:
    with pytest.raises(DomainValidationError) as raised:
        a_sale(discount)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("targets", "field"),
    [
        (SaleTargets(), "applies_to"),
        (SaleTargets(categories=("Kitchen Stuff",)), "category"),
        (SaleTargets(brands=("  ",)), "applies_to.brands"),
        (SaleTargets(brands=tuple(f"B{i}" for i in range(101))), "applies_to.brands"),
    ],
)
def test_a_sale_must_pick_some_products_by_valid_names(targets: SaleTargets, field: str) -> None:
    with pytest.raises(DomainValidationError) as raised:
        a_sale(percent(10), targets)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (NOW + DAY, NOW + DAY, "ends_at"),
        (NOW - 2 * DAY, NOW - DAY, "ends_at"),
        (datetime(2026, 12, 1), datetime(2026, 12, 2), "starts_at"),
    ],
)
def test_a_sale_runs_forward_in_time_zoned_instants_and_ends_in_the_future(
    starts_at: datetime, ends_at: datetime, field: str
) -> None:
    with pytest.raises(DomainValidationError) as raised:
        a_sale(percent(10), starts_at=starts_at, ends_at=ends_at)
    assert raised.value.field == field


def test_a_sale_is_in_force_from_its_start_until_just_before_its_end() -> None:
    sale = a_sale(percent(10), starts_at=NOW + HOUR, ends_at=NOW + 2 * HOUR)

    assert [sale.in_force(NOW + offset) for offset in (0 * HOUR, HOUR, 2 * HOUR)] == [
        False,
        True,
        False,
    ]
    assert [sale.status(NOW), sale.status(NOW + HOUR), sale.status(NOW + 2 * HOUR)] == [
        SaleStatus.SCHEDULED,
        SaleStatus.ACTIVE,
        SaleStatus.ENDED,
    ]


def test_the_scheduler_records_a_start_and_an_end_once_each_however_often_it_runs() -> None:
    sale = a_sale(amount(200), starts_at=NOW + HOUR, ends_at=NOW + 3 * HOUR)
    sale.pull_events()

    runs = [NOW, NOW + HOUR, NOW + HOUR, NOW + 2 * HOUR, NOW + 3 * HOUR, NOW + 4 * HOUR]
    changed = [sale.catch_up(at) for at in runs]

    assert changed == [False, True, False, False, True, False]
    assert event_types(sale.pull_events()) == ["SaleStarted", "SaleEnded"]
    assert sale.next_due_at is None


def test_a_scheduler_that_wakes_after_a_whole_sale_records_only_its_end() -> None:
    sale = a_sale(percent(10), starts_at=NOW + HOUR, ends_at=NOW + 2 * HOUR)
    sale.pull_events()

    assert sale.catch_up(NOW + DAY)

    ((_, ended),) = sale.pull_events()
    assert isinstance(ended, SaleEnded)
    assert not ended.early


def test_ending_a_sale_early_ends_it_at_once_for_prices_and_for_the_scheduler() -> None:
    sale = a_sale(percent(10), ends_at=NOW + DAY)
    sale.catch_up(NOW)
    sale.pull_events()

    assert sale.end_early(NOW + HOUR)
    assert not sale.end_early(NOW + 2 * HOUR)  # a retried request changes nothing

    assert not sale.in_force(NOW + HOUR)
    assert sale.terms.ends_at == NOW + HOUR
    assert not sale.catch_up(NOW + 2 * DAY)
    ((_, ended),) = sale.pull_events()
    assert isinstance(ended, SaleEnded)
    assert ended.early
    assert ended.terms.ends_at == NOW + HOUR


def test_a_sale_that_has_not_started_cannot_end_early_but_can_be_deleted() -> None:
    sale = a_sale(percent(10), starts_at=NOW + DAY, ends_at=NOW + 2 * DAY)

    with pytest.raises(SaleNotStartedError, match="delete it instead"):
        sale.end_early(NOW)
    assert sale.delete(NOW)

    assert sale.status(NOW + DAY) == SaleStatus.DELETED
    assert not sale.catch_up(NOW + DAY)  # the scheduler never starts it


def test_a_deleted_sale_is_deleted_once_and_cannot_be_ended() -> None:
    sale = a_sale(percent(10))
    sale.pull_events()

    assert sale.delete(NOW + HOUR)
    assert not sale.delete(NOW + 2 * HOUR)
    with pytest.raises(NotFoundError):
        sale.end_early(NOW + 2 * HOUR)
    assert not sale.in_force(NOW + HOUR)
    assert event_types(sale.pull_events()) == ["SaleDeleted"]


def test_every_sale_event_carries_the_terms_search_needs() -> None:
    product_id = uuid.uuid4()
    sale = a_sale(percent(25), SaleTargets(product_ids=frozenset({product_id})))
    sale.catch_up(NOW)
    sale.end_early(NOW + HOUR)
    sale.delete(NOW + 2 * HOUR)

    events = [event for _, event in sale.pull_events()]

    assert [type(event) for event in events] == [SaleCreated, SaleStarted, SaleEnded, SaleDeleted]
    assert all(event.sale_id == sale.id for event in events)
    assert all(event.terms.applies_to.product_ids == {product_id} for event in events)
    assert all(event.terms.discount == percent(25) for event in events)
