"""The one pricing function: its arithmetic as properties (hypothesis), its rounding rule and
the best-sale rule as examples a shopper would check on a receipt."""

import uuid
from datetime import timedelta
from fractions import Fraction
from math import floor

import hypothesis.strategies as st
import pytest
from hypothesis import given

from commerce.domain.errors import DomainValidationError
from commerce.domain.pricing import (
    Discount,
    PriceBreakdown,
    PricingLine,
    ProductRef,
    PromoCode,
    RejectionReason,
    Sale,
    SaleTargets,
    price,
)
from commerce.domain.values import Money
from tests.pricing import DAY, a_code, a_line, a_sale, amount, percent
from tests.support import NOW, eur

CATEGORIES = ["kitchen/kettles", "kitchen/toasters", "garden"]
BRANDS = ["Acme", "Globex"]
PRODUCTS = [
    ProductRef(product_id=uuid.uuid4(), category=category, brand=brand)
    for category in CATEGORIES
    for brand in BRANDS
]

discounts = st.one_of(
    st.builds(Discount, percent_off=st.integers(1, 100)),
    st.builds(Discount, amount_off=st.builds(eur, st.integers(1, 20_000))),
)
lines = st.lists(
    st.builds(
        PricingLine,
        sku=st.just("SKU-1"),
        product=st.sampled_from(PRODUCTS),
        quantity=st.integers(1, 20),
        list_unit_price=st.builds(eur, st.integers(0, 100_000)),
    ),
    max_size=8,
)
targets = st.one_of(
    st.builds(SaleTargets, categories=st.tuples(st.sampled_from(["kitchen", "garden"]))),
    st.builds(SaleTargets, brands=st.tuples(st.sampled_from(BRANDS))),
    st.builds(
        SaleTargets,
        product_ids=st.frozensets(st.sampled_from([p.product_id for p in PRODUCTS]), min_size=1),
    ),
)


@st.composite
def sales(draw: st.DrawFn) -> Sale:
    """Sales in force now, or that have not started, or have ended."""
    start_in_hours = draw(st.integers(-48, 2))
    starts_at = NOW + timedelta(hours=start_in_hours)
    ends_at = starts_at + timedelta(hours=draw(st.integers(1, 72)))
    created = min(starts_at, NOW) - DAY
    return a_sale(draw(discounts), draw(targets), starts_at=starts_at, ends_at=ends_at, now=created)


codes = st.builds(
    lambda discount, minimum: a_code(discount, min_subtotal=minimum),
    discounts,
    st.none() | st.builds(eur, st.integers(0, 200_000)),
)


def half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


def expected_saving(discount: Discount, price_amount: int) -> int:
    """The stated rule, computed apart from the code under test."""
    if discount.percent_off is not None:
        saving = half_up(Fraction(price_amount * discount.percent_off, 100))
    else:
        assert discount.amount_off is not None
        saving = discount.amount_off.amount
    return min(saving, price_amount)


def priced(
    items: list[PricingLine], in_force: list[Sale], code: PromoCode | None = None
) -> PriceBreakdown:
    return price(items, sales=in_force, at=NOW, currency="EUR", code=code)


@given(lines, st.lists(sales(), max_size=4), st.none() | codes)
def test_the_total_is_the_sum_of_the_lines_less_the_discount_and_never_negative(
    items: list[PricingLine], in_force: list[Sale], code: PromoCode | None
) -> None:
    breakdown = priced(items, in_force, code)

    assert breakdown.subtotal.amount == sum(line.line_total.amount for line in breakdown.lines)
    assert 0 <= breakdown.discount.amount <= breakdown.subtotal.amount
    assert breakdown.total.amount == breakdown.subtotal.amount - breakdown.discount.amount
    assert breakdown.total.amount >= 0
    for line in breakdown.lines:
        assert 0 <= line.unit_price.amount <= line.list_unit_price.amount
        assert line.line_total == line.unit_price.times(line.quantity)


@given(lines, st.lists(sales(), max_size=4))
def test_each_line_gets_the_lowest_price_any_sale_in_force_gives_it(
    items: list[PricingLine], candidates: list[Sale]
) -> None:
    breakdown = priced(items, candidates)

    for item, line in zip(items, breakdown.lines, strict=True):
        list_price = item.list_unit_price.amount
        offered = [
            list_price - expected_saving(sale.terms.discount, list_price)
            for sale in candidates
            if sale.terms.starts_at <= NOW < sale.terms.ends_at
            and sale.terms.applies_to.covers(item.product)
        ]
        assert line.unit_price.amount == min([list_price, *offered])
        assert (line.sale_unit_price is None) == (line.unit_price.amount == list_price)


@given(lines, codes)
def test_a_code_takes_its_share_of_the_subtotal_rounded_half_up_once(
    items: list[PricingLine], code: PromoCode
) -> None:
    breakdown = priced(items, [], code)

    if breakdown.promo_code_rejection is None:
        expected = expected_saving(code.terms.discount, breakdown.subtotal.amount)
        assert breakdown.discount.amount == expected
    else:
        assert breakdown.discount.amount == 0


def test_a_percentage_off_a_unit_price_is_rounded_half_up_in_the_shoppers_favour() -> None:
    # 15 % of 9.99 is 1.4985: 1.50 comes off; 15 % of 0.10 is 1.5 cents: 2 cents come off.
    breakdown = priced([a_line(999, quantity=3), a_line(10)], [a_sale(percent(15))])

    assert [line.unit_price.amount for line in breakdown.lines] == [849, 8]
    assert [line.line_total.amount for line in breakdown.lines] == [2547, 8]


def test_a_percentage_code_is_rounded_on_the_subtotal_not_per_line() -> None:
    # Per line, 10 % of 3.33 twice would be 0.33 + 0.33; of the 6.66 subtotal it is 0.67.
    breakdown = priced([a_line(333), a_line(333)], [], a_code(percent(10)))

    assert (breakdown.subtotal, breakdown.discount, breakdown.total) == (
        eur(666),
        eur(67),
        eur(599),
    )


def test_an_amount_off_larger_than_the_cart_makes_it_free_not_negative() -> None:
    breakdown = priced([a_line(500)], [a_sale(amount(300))], a_code(amount(10_000)))

    assert breakdown.lines[0].unit_price == eur(200)
    assert (breakdown.discount, breakdown.total) == (eur(200), eur(0))


def test_of_two_overlapping_sales_the_one_with_the_lower_price_wins() -> None:
    by_brand = a_sale(percent(10), SaleTargets(brands=("acme",)))
    by_category = a_sale(amount(500), SaleTargets(categories=("kitchen",)))

    cheap, dear = priced([a_line(2000), a_line(8000)], [by_brand, by_category]).lines

    assert (cheap.unit_price, cheap.sale_id) == (eur(1500), by_category.id)
    assert (dear.unit_price, dear.sale_id) == (eur(7200), by_brand.id)


def test_a_sale_prices_nothing_before_it_starts_after_it_ends_or_once_deleted() -> None:
    later = a_sale(percent(50), starts_at=NOW + DAY, ends_at=NOW + 2 * DAY)
    over = a_sale(percent(50), starts_at=NOW - 2 * DAY, ends_at=NOW, now=NOW - 3 * DAY)
    deleted = a_sale(percent(50))
    deleted.delete(NOW)

    (line,) = priced([a_line(1000)], [later, over, deleted]).lines

    assert (line.unit_price, line.sale_unit_price, line.sale_id) == (eur(1000), None, None)


def test_a_sale_only_lowers_the_products_it_picks() -> None:
    garden = ProductRef(product_id=uuid.uuid4(), category="garden/hoses", brand="Acme")
    kitchenette = ProductRef(product_id=uuid.uuid4(), category="kitchenette", brand="Globex")
    sale = a_sale(percent(20), SaleTargets(categories=("kitchen",)))

    kettle, hose, other = priced(
        [a_line(1000), a_line(1000, product=garden), a_line(1000, product=kitchenette)], [sale]
    ).lines

    assert [kettle.unit_price, hose.unit_price, other.unit_price] == [eur(800), *[eur(1000)] * 2]


def test_a_code_that_does_not_apply_takes_nothing_off_and_says_why() -> None:
    code = a_code(percent(10), min_subtotal=eur(5000))

    breakdown = priced([a_line(4250)], [], code)

    assert (breakdown.promo_code, breakdown.discount, breakdown.total) == (
        "WINTER10",
        eur(0),
        eur(4250),
    )
    rejection = breakdown.promo_code_rejection
    assert rejection is not None
    assert rejection.reason == RejectionReason.BELOW_MINIMUM
    assert rejection.missing == eur(750)


def test_the_minimum_of_a_code_counts_the_sale_prices() -> None:
    code = a_code(amount(500), min_subtotal=eur(5000))

    breakdown = priced([a_line(6000)], [a_sale(percent(50))], code)

    assert breakdown.subtotal == eur(3000)
    assert breakdown.promo_code_rejection is not None
    assert breakdown.promo_code_rejection.missing == eur(2000)


def test_nothing_to_price_costs_nothing() -> None:
    breakdown = priced([], [a_sale(percent(10))], a_code(amount(500)))

    assert (breakdown.subtotal, breakdown.discount, breakdown.total) == (
        Money(0, "EUR"),
        Money(0, "EUR"),
        Money(0, "EUR"),
    )


def test_sales_that_tie_name_the_same_sale_whatever_order_they_come_in() -> None:
    # 10 % of 12.00 and 1.20 off 12.00 give the same price: the lower sale id is named.
    tied = [a_sale(percent(10)), a_sale(amount(120))]
    items = [a_line(1200, 2), a_line(999)]

    first = priced(items, tied, a_code(percent(7)))
    again = priced(items, list(reversed(tied)), a_code(percent(7)))

    assert first == again
    assert first.lines[0].sale_id == min(sale.id for sale in tied)


def test_a_line_without_a_unit_to_buy_is_refused() -> None:
    with pytest.raises(DomainValidationError, match="quantity"):
        priced([a_line(1000, quantity=0)], [])
