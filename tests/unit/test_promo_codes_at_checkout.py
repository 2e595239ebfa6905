"""Promo codes and sales where shoppers meet them: entered in the cart, shown by the cart view
and the quote, redeemed at checkout, given back when the order is cancelled. Through the
handlers on the in-memory unit of work."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Self

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from commerce.adapters.memory.cart_views import InMemoryCartViews
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.application.cart import (
    ApplyPromoCode,
    RemovePromoCode,
    SetCartItem,
    apply_promo_code,
    get_cart,
    remove_promo_code,
    set_cart_item,
)
from commerce.application.checkout import OrderChanged, PlaceOrder, place_order
from commerce.application.order_saga import release_reservation
from commerce.application.orders import CancelOrder, cancel_order
from commerce.application.quote import QuoteItem, QuoteItems, quote
from commerce.domain.account import Account
from commerce.domain.errors import DomainValidationError
from commerce.domain.order import CancelReason, OrderStatus
from commerce.domain.pricing import (
    CodeRejection,
    Discount,
    PricedCart,
    PromoCode,
    PromoCodeRejectedError,
    RejectionReason,
    SaleTargets,
)
from commerce.ports.health import DependencyUnavailableError
from commerce.ports.unit_of_work import UnitOfWork
from tests.pricing import DAY, a_code, a_sale, amount, percent
from tests.shop import PAYMENT_WINDOW, customer_with_cart, stocked_product
from tests.support import eur

NewUow = Callable[[], UnitOfWork]


async def a_stored(new_uow: NewUow, code: PromoCode) -> PromoCode:
    async with new_uow() as uow:
        uow.promo_codes.add(code)
        await uow.commit()
    return code


async def a_shopper(new_uow: NewUow, cart: dict[str, int], price: int) -> Account:
    product_id = await stocked_product(new_uow, dict.fromkeys(cart, 50), price=price)
    return await customer_with_cart(new_uow, cart, product_id)


async def enter(new_uow: NewUow, clock: FixedClock, shopper: Account, code: str) -> PricedCart:
    command = ApplyPromoCode(customer_id=shopper.id, code=code)
    return (await apply_promo_code(command, new_uow(), clock, "EUR")).cart


async def refusal(new_uow: NewUow, clock: FixedClock, shopper: Account, code: str) -> CodeRejection:
    with pytest.raises(PromoCodeRejectedError) as raised:
        await enter(new_uow, clock, shopper, code)
    return raised.value.rejection


async def check_out(new_uow: NewUow, clock: FixedClock, shopper: Account) -> OrderChanged:
    command = PlaceOrder(order_id=uuid.uuid4(), customer_id=shopper.id)
    return await place_order(command, new_uow(), clock, PAYMENT_WINDOW, "EUR")


def totals(cart: PricedCart) -> tuple[str | None, int, int, int]:
    return cart.promo_code, cart.subtotal.amount, cart.discount.amount, cart.total.amount


class WriteSideDown(InMemoryUnitOfWork):
    """PostgreSQL does not answer: nothing can be read through this unit of work."""

    async def __aenter__(self) -> Self:
        raise DependencyUnavailableError("postgres")


async def shown_while_down(store: InMemoryStore, clock: FixedClock, shopper: Account) -> PricedCart:
    """The cart view from the read models (every event so far applied) with the write side down."""
    views = InMemoryCartViews("EUR")
    views.apply(store.outbox)
    return await get_cart(shopper.id, views, WriteSideDown(store, clock), clock, "EUR")


async def test_a_code_entered_in_any_case_takes_its_discount_off_the_cart_until_removed(
    new_uow: NewUow, clock: FixedClock
) -> None:
    await a_stored(new_uow, a_code(percent(10), code="WINTER10"))
    shopper = await a_shopper(new_uow, {"KT-1": 2}, price=2500)

    entered = await enter(new_uow, clock, shopper, "  winter10 ")
    removed = await remove_promo_code(
        RemovePromoCode(customer_id=shopper.id), new_uow(), clock, "EUR"
    )

    assert totals(entered) == ("WINTER10", 5000, 500, 4500)
    assert totals(removed.cart) == (None, 5000, 0, 5000)
    async with new_uow() as uow:
        assert (await uow.carts.get(shopper.id)).promo_code is None


async def test_a_code_that_does_not_apply_is_refused_with_a_reason_the_shopper_can_act_on(
    new_uow: NewUow, clock: FixedClock
) -> None:
    shopper = await a_shopper(new_uow, {"KT-1": 1}, price=2500)
    later = clock.now() + DAY
    await a_stored(new_uow, a_code(percent(10), code="LATER", starts_at=later, ends_at=later + DAY))
    await a_stored(new_uow, a_code(percent(10), code="BIG", min_subtotal=eur(4000)))
    await a_stored(new_uow, a_code(percent(10), code="SHORT", ends_at=clock.now() + DAY))

    assert (await refusal(new_uow, clock, shopper, "nope")).reason == RejectionReason.UNKNOWN
    assert (await refusal(new_uow, clock, shopper, "later")).reason == RejectionReason.NOT_STARTED
    below = await refusal(new_uow, clock, shopper, "big")
    assert below.reason == RejectionReason.BELOW_MINIMUM
    assert below.missing == eur(1500)
    assert below.message.startswith("add 15.00 EUR more")
    clock.advance(DAY)
    assert (await refusal(new_uow, clock, shopper, "SHORT")).reason == RejectionReason.EXPIRED
    async with new_uow() as uow:  # a refused code is not kept
        assert (await uow.carts.get(shopper.id)).promo_code is None


async def test_checkout_redeems_the_code_and_the_order_keeps_the_breakdown_it_was_sold_at(
    new_uow: NewUow, clock: FixedClock, store: InMemoryStore
) -> None:
    await a_stored(new_uow, a_code(amount(700), code="SEVEN", per_customer_limit=1))
    store.sales.update({(sale := a_sale(percent(20))).id: sale})
    shopper = await a_shopper(new_uow, {"KT-1": 3}, price=999)
    await enter(new_uow, clock, shopper, "seven")

    order = (await check_out(new_uow, clock, shopper)).order

    (line,) = order.lines
    assert (line.list_unit_price, line.unit_price, line.total) == (eur(999), eur(799), eur(2397))
    assert (order.promo_code, order.subtotal, order.discount, order.total) == (
        "SEVEN",
        eur(2397),
        eur(700),
        eur(1697),
    )
    assert store.promo_codes["SEVEN"].redeemed == 1
    async with new_uow() as uow:
        assert (await uow.carts.get(shopper.id)).promo_code is None  # used up by the order
        (await uow.carts.get(shopper.id)).set_item("KT-1", line.product_id, 1)
        await uow.commit()
    again = await refusal(new_uow, clock, shopper, "SEVEN")
    assert again.reason == RejectionReason.PER_CUSTOMER_LIMIT


async def test_a_code_that_stopped_applying_shows_not_applied_and_checkout_refuses_it(
    new_uow: NewUow, clock: FixedClock, store: InMemoryStore
) -> None:
    await a_stored(new_uow, a_code(percent(10), code="SHORT", ends_at=clock.now() + DAY))
    shopper = await a_shopper(new_uow, {"KT-1": 1}, price=2500)
    await enter(new_uow, clock, shopper, "SHORT")
    views = InMemoryCartViews("EUR")
    views.apply(store.outbox)
    clock.advance(DAY)

    shown = await get_cart(shopper.id, views, new_uow(), clock, "EUR")
    with pytest.raises(PromoCodeRejectedError) as refused:
        await check_out(new_uow, clock, shopper)

    assert totals(shown) == ("SHORT", 2500, 0, 2500)
    assert shown.promo_code_rejection is not None
    assert shown.promo_code_rejection.reason == RejectionReason.EXPIRED
    assert refused.value.rejection.reason == RejectionReason.EXPIRED
    assert store.orders == {}
    assert store.stock["KT-1"].reserved == 0


async def test_while_postgres_is_down_the_cart_shows_list_prices_and_its_code_unchecked(
    new_uow: NewUow, clock: FixedClock, store: InMemoryStore
) -> None:
    await a_stored(new_uow, a_code(percent(10), code="WINTER10"))
    store.sales.update({(sale := a_sale(percent(20))).id: sale})
    shopper = await a_shopper(new_uow, {"KT-1": 2}, price=2500)
    priced = await enter(new_uow, clock, shopper, "winter10")

    estimated = await shown_while_down(store, clock, shopper)

    assert (priced.pricing, totals(priced)) == ("current", ("WINTER10", 4000, 400, 3600))
    assert (estimated.pricing, totals(estimated)) == ("estimated", ("WINTER10", 5000, 0, 5000))
    assert [(i.sku, i.unit_price, i.line_total, i.available) for i in estimated.items] == [
        ("KT-1", eur(2500), eur(5000), True)
    ]
    assert estimated.promo_code_rejection is None  # not checked, so not refused either


async def test_a_cancelled_order_gives_its_redemption_back_once(
    new_uow: NewUow, clock: FixedClock, store: InMemoryStore
) -> None:
    await a_stored(new_uow, a_code(percent(10), code="ONCE", max_redemptions=1))
    shopper = await a_shopper(new_uow, {"KT-1": 1}, price=2500)
    await enter(new_uow, clock, shopper, "ONCE")
    order = (await check_out(new_uow, clock, shopper)).order
    assert store.promo_codes["ONCE"].status(clock.now()) == "exhausted"

    await cancel_order(
        CancelOrder(order_id=order.id, reason=CancelReason.CUSTOMER), new_uow(), clock
    )
    await release_reservation(order.id, new_uow(), clock)
    await release_reservation(order.id, new_uow(), clock)  # a redelivered event

    assert store.promo_codes["ONCE"].redeemed == 0
    assert store.promo_codes["ONCE"].status(clock.now()) == "active"
    async with new_uow() as uow:
        found = await uow.promo_codes.find_for("ONCE", shopper.id)
    assert found is not None
    assert found[1] == 0


async def test_an_order_the_code_makes_free_is_paid_at_once(
    new_uow: NewUow, clock: FixedClock
) -> None:
    await a_stored(new_uow, a_code(percent(100), code="GIFT"))
    shopper = await a_shopper(new_uow, {"KT-1": 2}, price=1250)
    await enter(new_uow, clock, shopper, "gift")

    order = (await check_out(new_uow, clock, shopper)).order

    assert (order.total, order.discount) == (eur(0), eur(2500))
    assert order.status == OrderStatus.PAID
    assert order.timeline[-1].note.endswith("nothing to pay")


async def test_the_quote_prices_items_as_a_cart_of_them_would_be(
    new_uow: NewUow, clock: FixedClock, store: InMemoryStore
) -> None:
    await a_stored(new_uow, a_code(percent(15), code="FIFTEEN"))
    store.sales.update({(sale := a_sale(amount(100), SaleTargets(brands=("acme",)))).id: sale})
    shopper = await a_shopper(new_uow, {"KT-1": 2, "KT-2": 1}, price=1999)
    cart = await enter(new_uow, clock, shopper, "fifteen")

    quoted = await quote(
        QuoteItems(
            items=[QuoteItem(sku="KT-1", quantity=2), QuoteItem(sku="KT-2", quantity=1)],
            promo_code="Fifteen",
        ),
        new_uow(),
        clock,
        "EUR",
    )

    assert quoted == cart
    assert totals(quoted) == ("FIFTEEN", 5697, 855, 4842)
    assert [item.unit_price for item in quoted.items] == [eur(1899), eur(1899)]


async def test_a_quote_names_an_unknown_or_repeated_sku_and_shows_an_unknown_code(
    new_uow: NewUow, clock: FixedClock
) -> None:
    await stocked_product(new_uow, {"KT-1": 5}, price=1000)

    def items(*skus: str, code: str | None = None) -> QuoteItems:
        return QuoteItems(items=[QuoteItem(sku=s, quantity=1) for s in skus], promo_code=code)

    with pytest.raises(DomainValidationError, match=r"items\[1\].sku"):
        await quote(items("KT-1", "NOPE"), new_uow(), clock, "EUR")
    with pytest.raises(DomainValidationError, match=r"items\[1\].sku: is given twice"):
        await quote(items("KT-1", "KT-1"), new_uow(), clock, "EUR")
    shown = await quote(items("KT-1", code="nope"), new_uow(), clock, "EUR")
    assert totals(shown) == ("NOPE", 1000, 0, 1000)
    assert shown.promo_code_rejection == CodeRejection.unknown("NOPE")


async def test_a_line_added_after_the_code_keeps_the_cart_priced_with_it(
    new_uow: NewUow, clock: FixedClock
) -> None:
    await a_stored(new_uow, a_code(percent(50), code="HALF"))
    shopper = await a_shopper(new_uow, {"KT-1": 1}, price=3000)
    await enter(new_uow, clock, shopper, "HALF")

    changed = await set_cart_item(
        SetCartItem(customer_id=shopper.id, sku="KT-1", quantity=3), new_uow(), clock, "EUR"
    )

    assert totals(changed.cart) == ("HALF", 9000, 4500, 4500)


@st.composite
def baskets(draw: st.DrawFn) -> tuple[dict[str, tuple[int, int]], Discount, Discount | None]:
    """SKU -> (list price, quantity), the code's discount, and a sale on the kettles if any."""
    count = draw(st.integers(min_value=1, max_value=4))
    prices = draw(st.lists(st.integers(1, 500_000), min_size=count, max_size=count))
    quantities = draw(st.lists(st.integers(1, 20), min_size=count, max_size=count))
    basket = {f"SKU-{i}": (p, q) for i, (p, q) in enumerate(zip(prices, quantities, strict=True))}
    discounts = st.one_of(st.integers(1, 100).map(percent), st.integers(1, 2_000_000).map(amount))
    return basket, draw(discounts), draw(st.none() | discounts)


@settings(max_examples=40, deadline=None)
@given(baskets())
def test_the_cart_the_quote_and_the_order_agree_to_the_cent(
    drawn: tuple[dict[str, tuple[int, int]], Discount, Discount | None],
) -> None:
    asyncio.run(_cart_quote_and_order_agree(*drawn))


async def a_basket_with_the_code_entered(
    basket: dict[str, tuple[int, int]], code_discount: Discount, sale_discount: Discount | None
) -> tuple[InMemoryStore, FixedClock, Account, PricedCart]:
    """A shop selling the basket's SKUs (with a sale on all of them if drawn) and a shopper
    who put the basket in their cart and entered the code `EVERY`: the cart it answered."""
    clock, store = FixedClock(), InMemoryStore()

    def new_uow() -> UnitOfWork:
        return InMemoryUnitOfWork(store, clock)

    if sale_discount is not None:
        store.sales.update({(sale := a_sale(sale_discount)).id: sale})
    await a_stored(new_uow, a_code(code_discount, code="EVERY"))
    owners = {
        sku: await stocked_product(new_uow, {sku: 50}, price) for sku, (price, _) in basket.items()
    }
    shopper = await customer_with_cart(new_uow, {s: q for s, (_, q) in basket.items()}, owners)
    return store, clock, shopper, await enter(new_uow, clock, shopper, "EVERY")


async def _cart_quote_and_order_agree(
    basket: dict[str, tuple[int, int]], code_discount: Discount, sale_discount: Discount | None
) -> None:
    store, clock, shopper, cart = await a_basket_with_the_code_entered(
        basket, code_discount, sale_discount
    )

    def new_uow() -> UnitOfWork:
        return InMemoryUnitOfWork(store, clock)

    items = [QuoteItem(sku=sku, quantity=q) for sku, (_, q) in basket.items()]
    quoted = await quote(QuoteItems(items=items, promo_code="every"), new_uow(), clock, "EUR")

    order = (await check_out(new_uow, clock, shopper)).order

    assert quoted == cart
    assert (order.subtotal, order.discount, order.total) == (
        cart.subtotal,
        cart.discount,
        cart.total,
    )
    assert [(line.sku, line.unit_price, line.list_price, line.total) for line in order.lines] == [
        (item.sku, item.unit_price, item.list_unit_price, item.line_total) for item in cart.items
    ]


@settings(max_examples=40, deadline=None)
@given(baskets())
def test_the_cart_estimated_while_postgres_is_down_never_shows_less_than_it_costs(
    drawn: tuple[dict[str, tuple[int, int]], Discount, Discount | None],
) -> None:
    asyncio.run(_estimate_is_never_below_the_price(*drawn))


async def _estimate_is_never_below_the_price(
    basket: dict[str, tuple[int, int]], code_discount: Discount, sale_discount: Discount | None
) -> None:
    store, clock, shopper, cart = await a_basket_with_the_code_entered(
        basket, code_discount, sale_discount
    )

    estimated = await shown_while_down(store, clock, shopper)

    assert estimated.total.amount >= cart.total.amount
    assert estimated.subtotal.amount == sum(price * q for price, q in basket.values())
    assert [item.unit_price for item in estimated.items] == [
        item.list_unit_price for item in cart.items
    ]
