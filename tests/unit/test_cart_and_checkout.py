"""Cart and checkout rules, through the handlers on the in-memory unit of work."""

import uuid
from collections.abc import Callable

import pytest

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.application.cart import (
    AddCartItem,
    EmptyCart,
    SetCartItem,
    add_cart_item,
    empty_cart,
    set_cart_item,
)
from commerce.application.catalog import ArchiveProduct, archive_product
from commerce.application.checkout import PlaceOrder, place_order
from commerce.domain.errors import DomainValidationError, NotFoundError
from commerce.domain.inventory import InsufficientStockError
from commerce.domain.order import EmptyCartError, OrderStatus
from commerce.domain.pricing import NotForSaleError
from commerce.domain.values import Money
from commerce.ports.unit_of_work import UnitOfWork
from tests.shop import PAYMENT_WINDOW, customer_with_cart, stocked_product
from tests.support import new_account


async def test_a_cart_line_is_priced_from_the_catalogue_and_zero_removes_it(
    new_uow: Callable[[], UnitOfWork], clock: FixedClock
) -> None:
    await stocked_product(new_uow, {"KT-1": 5, "KT-2": 5}, price=1200)
    customer = await customer_with_cart(new_uow, {}, uuid.uuid4())

    await set_cart_item(
        SetCartItem(customer_id=customer.id, sku="KT-1", quantity=2), new_uow(), clock, "EUR"
    )
    second = await set_cart_item(
        SetCartItem(customer_id=customer.id, sku="KT-2", quantity=1), new_uow(), clock, "EUR"
    )
    removed = await set_cart_item(
        SetCartItem(customer_id=customer.id, sku="KT-1", quantity=0), new_uow(), clock, "EUR"
    )

    assert [(i.sku, i.quantity, i.line_total) for i in second.cart.items] == [
        ("KT-1", 2, Money(2400, "EUR")),
        ("KT-2", 1, Money(1200, "EUR")),
    ]
    assert second.cart.total == Money(3600, "EUR")
    assert [i.sku for i in removed.cart.items] == ["KT-2"]
    assert removed.event_ids


async def test_a_cart_refuses_unknown_skus_more_than_available_and_archived_products(
    new_uow: Callable[[], UnitOfWork], clock: FixedClock
) -> None:
    product_id = await stocked_product(new_uow, {"KT-1": 2})
    customer = await customer_with_cart(new_uow, {}, product_id)

    def line(sku: str, quantity: int) -> SetCartItem:
        return SetCartItem(customer_id=customer.id, sku=sku, quantity=quantity)

    with pytest.raises(NotFoundError):
        await set_cart_item(line("NOPE", 1), new_uow(), clock, "EUR")
    with pytest.raises(InsufficientStockError, match="3 wanted, 2 available"):
        await set_cart_item(line("KT-1", 3), new_uow(), clock, "EUR")
    await archive_product(ArchiveProduct(product_id), new_uow(), clock)
    with pytest.raises(NotForSaleError):
        await set_cart_item(line("KT-1", 1), new_uow(), clock, "EUR")


async def test_adding_to_the_cart_adds_to_what_is_there_and_never_past_the_stock(
    new_uow: Callable[[], UnitOfWork], clock: FixedClock
) -> None:
    await stocked_product(new_uow, {"KT-1": 3}, price=1200)
    customer = await customer_with_cart(new_uow, {}, uuid.uuid4())

    def add(quantity: int) -> AddCartItem:
        return AddCartItem(customer_id=customer.id, sku="KT-1", quantity=quantity)

    await add_cart_item(add(1), new_uow(), clock, "EUR")
    added = await add_cart_item(add(2), new_uow(), clock, "EUR")

    assert [(i.sku, i.quantity) for i in added.cart.items] == [("KT-1", 3)]
    with pytest.raises(InsufficientStockError, match="4 wanted, 3 available"):
        await add_cart_item(add(1), new_uow(), clock, "EUR")
    with pytest.raises(DomainValidationError, match="at least 1"):
        await add_cart_item(add(0), new_uow(), clock, "EUR")


async def test_checkout_reserves_the_stock_keeps_the_sold_prices_and_empties_the_cart(
    new_uow: Callable[[], UnitOfWork], clock: FixedClock, store: InMemoryStore
) -> None:
    product_id = await stocked_product(new_uow, {"KT-1": 5}, price=999)
    customer = await customer_with_cart(new_uow, {"KT-1": 3}, product_id)

    placed = await place_order(
        PlaceOrder(order_id=uuid.uuid4(), customer_id=customer.id),
        new_uow(),
        clock,
        PAYMENT_WINDOW,
        "EUR",
    )

    order = placed.order
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert order.number == "C-000001"
    assert order.total == Money(2997, "EUR")
    assert order.shipping_address == customer.shipping_address
    assert order.payment_due_at == clock.now() + PAYMENT_WINDOW
    async with new_uow() as uow:
        assert (await uow.stock.get("KT-1")).available == 2
        assert (await uow.carts.get(customer.id)).is_empty
    recorded = {e.event_id: e.type for e in store.outbox}
    assert sorted(recorded[event_id] for event_id in placed.event_ids) == [
        "CartEmptied",
        "OrderPlaced",
        "StockLevelChanged",
    ]


async def test_checkout_refuses_an_empty_cart_a_missing_address_and_names_every_short_sku(
    new_uow: Callable[[], UnitOfWork], clock: FixedClock
) -> None:
    product_id = await stocked_product(new_uow, {"A-1": 1, "B-1": 1, "C-1": 9})
    nobody = await customer_with_cart(new_uow, {}, product_id)
    short = await customer_with_cart(new_uow, {"A-1": 2, "B-1": 5, "C-1": 1}, product_id)
    homeless = new_account(email="nohome@example.com")
    homeless.shipping_address = None
    async with new_uow() as uow:
        uow.accounts.add(homeless)
        (await uow.carts.get(homeless.id)).set_item("C-1", product_id, 1)
        await uow.commit()

    def order_for(customer_id: uuid.UUID) -> PlaceOrder:
        return PlaceOrder(order_id=uuid.uuid4(), customer_id=customer_id)

    with pytest.raises(EmptyCartError):
        await place_order(order_for(nobody.id), new_uow(), clock, PAYMENT_WINDOW, "EUR")
    with pytest.raises(InsufficientStockError, match="A-1, B-1"):
        await place_order(order_for(short.id), new_uow(), clock, PAYMENT_WINDOW, "EUR")
    with pytest.raises(DomainValidationError, match="shipping_address"):
        await place_order(order_for(homeless.id), new_uow(), clock, PAYMENT_WINDOW, "EUR")
    async with new_uow() as uow:  # nothing was reserved by the refused checkouts
        assert [(await uow.stock.get(s)).reserved for s in ("A-1", "B-1", "C-1")] == [0, 0, 0]


async def test_emptying_a_cart_leaves_nothing(
    new_uow: Callable[[], UnitOfWork], clock: FixedClock
) -> None:
    product_id = await stocked_product(new_uow, {"KT-1": 5})
    customer = await customer_with_cart(new_uow, {"KT-1": 2}, product_id)

    emptied = await empty_cart(EmptyCart(customer_id=customer.id), new_uow(), clock, "EUR")

    assert emptied.cart.items == []
    assert emptied.cart.total == Money(0, "EUR")


class _OutrunOnce(InMemoryUnitOfWork):
    """A unit of work whose first commit is beaten by another checkout's reservation of
    `sku`, committed between this one's reads and its write."""

    beaten = False

    def __init__(self, store: InMemoryStore, clock: FixedClock, sku: str) -> None:
        super().__init__(store, clock)
        self._sku = sku

    async def commit(self) -> list[uuid.UUID]:
        if not _OutrunOnce.beaten:
            _OutrunOnce.beaten = True
            async with InMemoryUnitOfWork(self.store, self._clock) as other:
                (await other.stock.get(self._sku)).reserve(1, reason="another order")
                await other.commit()
        return await super().commit()


async def test_a_checkout_that_loses_the_race_for_its_stock_runs_again_and_never_oversells(
    store: InMemoryStore, clock: FixedClock, new_uow: Callable[[], UnitOfWork]
) -> None:
    product_id = await stocked_product(new_uow, {"KT-1": 2})
    shopper = await customer_with_cart(new_uow, {"KT-1": 1}, product_id)
    last = await customer_with_cart(new_uow, {"KT-1": 1}, product_id)
    _OutrunOnce.beaten = False

    placed = await place_order(
        PlaceOrder(order_id=uuid.uuid4(), customer_id=shopper.id),
        _OutrunOnce(store, clock, "KT-1"),
        clock,
        PAYMENT_WINDOW,
        "EUR",
    )
    with pytest.raises(InsufficientStockError):
        await place_order(
            PlaceOrder(order_id=uuid.uuid4(), customer_id=last.id),
            new_uow(),
            clock,
            PAYMENT_WINDOW,
            "EUR",
        )

    assert placed.order.status == OrderStatus.AWAITING_PAYMENT
    item = store.stock["KT-1"]
    assert (item.on_hand, item.reserved) == (2, 2)
