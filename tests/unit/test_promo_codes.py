"""A promo code's rules: what staff may create, why a shopper's code does not apply (in words
they can act on), and how redemptions are counted and given back."""

import uuid
from datetime import datetime, timedelta

import pytest

from commerce.domain.errors import DomainValidationError
from commerce.domain.pricing import (
    CodeRejection,
    Discount,
    PromoCode,
    PromoCodeRedeemed,
    PromoCodeRedemptionReturned,
    PromoCodeRejectedError,
    PromoTerms,
    RejectionReason,
)
from commerce.domain.values import Money
from tests.pricing import DAY, a_code, amount, percent
from tests.support import NOW, eur

CUSTOMER = uuid.uuid4()


def redeem(code: PromoCode, subtotal: int = 10_000, used: int = 0, now: datetime = NOW) -> None:
    code.redeem(
        order_id=uuid.uuid4(),
        customer_id=CUSTOMER,
        subtotal=eur(subtotal),
        customer_redemptions=used,
        now=now,
    )


def rejection_of(
    code: PromoCode, subtotal: int = 10_000, used: int = 0, now: datetime = NOW
) -> CodeRejection:
    with pytest.raises(PromoCodeRejectedError) as raised:
        redeem(code, subtotal, used, now)
    assert raised.value.field == "code"
    return raised.value.rejection


def test_a_code_is_stored_as_capitals_so_shoppers_may_type_it_in_any_case() -> None:
    assert a_code(percent(10), code="  winter-10 ").code == "WINTER-10"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "X"}, "code"),
        ({"code": "NO SPACES"}, "code"),
        ({"discount": Discount(percent_off=150)}, "percent_off"),
        ({"min_subtotal": Money(1000, "USD")}, "min_subtotal.currency"),
        ({"min_subtotal": eur(-1)}, "min_subtotal.amount"),
        ({"max_redemptions": 0}, "max_redemptions"),
        ({"per_customer_limit": 0}, "per_customer_limit"),
        ({"ends_at": NOW}, "ends_at"),
    ],
)
def test_staff_get_a_field_error_for_a_code_that_could_never_work(
    changes: dict[str, object], field: str
) -> None:
    fields: dict[str, object] = {"discount": percent(10), "starts_at": NOW, "ends_at": NOW + DAY}
    fields |= changes
    code = str(fields.pop("code", "WINTER10"))

    with pytest.raises(DomainValidationError) as raised:
        PromoCode.create(code=code, terms=PromoTerms(**fields), currency="EUR", now=NOW)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_a_code_not_started_yet_says_from_when() -> None:
    code = a_code(percent(10), starts_at=NOW + DAY, ends_at=NOW + 2 * DAY)

    rejection = rejection_of(code)

    assert rejection.reason == RejectionReason.NOT_STARTED
    assert rejection.message == "WINTER10 can be used from 2026-11-24 10:00 UTC"


def test_an_expired_code_says_since_when() -> None:
    code = a_code(percent(10), ends_at=NOW + timedelta(hours=1))

    rejection = rejection_of(code, now=NOW + timedelta(hours=1))

    assert rejection.reason == RejectionReason.EXPIRED
    assert rejection.message == "WINTER10 expired at 2026-11-23 11:00 UTC"


def test_a_disabled_code_is_no_longer_valid() -> None:
    code = a_code(percent(10))
    assert code.disable(NOW)
    assert not code.disable(NOW)

    assert rejection_of(code).reason == RejectionReason.DISABLED


def test_below_the_minimum_the_shopper_is_told_how_much_more_to_add() -> None:
    code = a_code(amount(1000), min_subtotal=eur(5000))

    rejection = rejection_of(code, subtotal=4250)

    assert rejection.reason == RejectionReason.BELOW_MINIMUM
    assert rejection.missing == eur(750)
    assert rejection.message == (
        "add 7.50 EUR more to use WINTER10: it needs a subtotal of 50.00 EUR"
    )


def test_a_code_is_used_up_by_its_last_redemption_and_usable_again_once_one_is_given_back() -> None:
    code = a_code(percent(10), max_redemptions=2)
    redeem(code)
    redeem(code)

    assert rejection_of(code).reason == RejectionReason.EXHAUSTED

    assert code.give_back(order_id=uuid.uuid4(), customer_id=CUSTOMER, now=NOW)
    redeem(code)
    assert code.redeemed == 2


def test_a_customer_may_use_a_code_only_as_often_as_its_limit_allows() -> None:
    code = a_code(percent(10), per_customer_limit=1)

    redeem(code, used=0)
    rejection = rejection_of(code, used=1)

    assert rejection.reason == RejectionReason.PER_CUSTOMER_LIMIT
    assert rejection.message == "you have already used WINTER10 once, as often as a customer may"


def test_a_refused_redemption_counts_nothing_and_records_nothing() -> None:
    code = a_code(percent(10), min_subtotal=eur(5000))
    code.pull_events()

    rejection_of(code, subtotal=100)

    assert code.redeemed == 0
    assert not code.has_changes


def test_redemptions_and_give_backs_are_events_carrying_the_order_and_the_new_count() -> None:
    code = a_code(percent(10))
    code.pull_events()
    order_id = uuid.uuid4()
    code.redeem(
        order_id=order_id,
        customer_id=CUSTOMER,
        subtotal=eur(100),
        customer_redemptions=0,
        now=NOW,
    )
    code.give_back(order_id=order_id, customer_id=CUSTOMER, now=NOW + DAY)

    (_, redeemed), (_, returned) = code.pull_events()

    assert redeemed == PromoCodeRedeemed(
        code="WINTER10", at=NOW, order_id=order_id, customer_id=CUSTOMER, redeemed=1
    )
    assert returned == PromoCodeRedemptionReturned(
        code="WINTER10", at=NOW + DAY, order_id=order_id, customer_id=CUSTOMER, redeemed=0
    )


def test_nothing_is_given_back_when_nothing_was_redeemed() -> None:
    code = a_code(percent(10))
    code.pull_events()

    assert not code.give_back(order_id=uuid.uuid4(), customer_id=CUSTOMER, now=NOW)
    assert not code.has_changes
