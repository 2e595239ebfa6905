"""The order side of the unit-of-work contract (carts, orders, stock locks, offers), held by
the in-memory twin and by PostgreSQL alike."""

import uuid
from datetime import timedelta

import pytest

from commerce.domain.errors import ConcurrencyError, NotFoundError
from commerce.domain.inventory import StockItem
from commerce.domain.order import Order, OrderLine, PaymentStatus
from commerce.domain.values import Money
from tests.contract.conftest import Storage
from tests.support import an_address, new_product


async def a_stocked_product(storage: Storage, **stock: int) -> uuid.UUID:
    product = new_product(*stock, price=1500)
    async with storage.new_uow() as uow:
        uow.products.add(product)
        for sku, on_hand in stock.items():
            item = StockItem.open(sku, product.id)
            if on_hand:
                item.set_counted(on_hand)
            uow.stock.add(item)
        await uow.commit()
    return product.id


def an_order(storage: Storage, number: int, *, minutes: int = 30) -> Order:
    now = storage.clock.now()
    line = OrderLine(
        sku="KT-1",
        product_id=uuid.uuid4(),
        name="Kettle",
        image=None,
        quantity=2,
        unit_price=Money(1500, "EUR"),
    )
    return Order.place(
        order_id=uuid.uuid4(),
        number=f"C-{number:06d}",
        customer_id=uuid.uuid4(),
        customer_email="ada@example.com",
        lines=[line],
        shipping_address=an_address(),
        billing_address=an_address(),
        now=now,
        payment_due_at=now + timedelta(minutes=minutes),
    )


async def test_a_cart_starts_empty_and_keeps_its_lines_in_order(storage: Storage) -> None:
    product_id = await a_stocked_product(storage, **{"KT-1": 3, "KT-2": 3})
    customer = uuid.uuid4()
    async with storage.new_uow() as uow:
        cart = await uow.carts.get(customer)
        assert cart.is_empty
        cart.set_item("KT-2", product_id, 1)
        cart.set_item("KT-1", product_id, 2)
        await uow.commit()

    async with storage.new_uow() as uow:
        loaded = await uow.carts.get(customer)

    assert [(line.sku, line.quantity) for line in loaded.lines] == [("KT-2", 1), ("KT-1", 2)]
    assert loaded.version == 2
    assert [e.type for e in await storage.outbox()][-2:] == ["CartItemSet", "CartItemSet"]


async def test_two_first_edits_of_one_cart_at_once_do_not_both_win(storage: Storage) -> None:
    product_id = await a_stocked_product(storage, **{"KT-1": 3})
    customer = uuid.uuid4()
    async with storage.new_uow() as first, storage.new_uow() as second:
        (await first.carts.get(customer)).set_item("KT-1", product_id, 1)
        (await second.carts.get(customer)).set_item("KT-1", product_id, 3)
        await first.commit()
        with pytest.raises(ConcurrencyError):
            await second.commit()

    async with storage.new_uow() as uow:
        assert (await uow.carts.get(customer)).quantity_of("KT-1") == 1


async def test_an_order_loads_back_whole_and_is_found_by_its_payment(storage: Storage) -> None:
    order = an_order(storage, 1)
    payment_id = uuid.uuid4()
    async with storage.new_uow() as uow:
        uow.orders.add(order)
        await uow.commit()
    async with storage.new_uow() as uow:
        loaded = await uow.orders.get(order.id)
        loaded.start_payment(payment_id, Money(1000, "EUR"), "tok_visa", storage.clock.now())
        await uow.commit()

    async with storage.new_uow() as uow:
        found = await uow.orders.get_by_payment(payment_id)
        missing = await uow.orders.find(uuid.uuid4())
        with pytest.raises(NotFoundError):
            await uow.orders.get_by_payment(uuid.uuid4())

    assert found.id == order.id
    assert found.lines == order.lines
    assert found.shipping_address == order.shipping_address
    assert [p.status for p in found.payments] == [PaymentStatus.PENDING]
    assert found.payments[0].token == "tok_visa"
    assert found.timeline[0] == order.timeline[0]
    assert found.timeline[1].note == "payment of 10.00 EUR started"
    assert len(found.timeline) == found.version == 2
    assert missing is None


async def test_a_stale_order_is_not_saved_over_a_newer_one(storage: Storage) -> None:
    order = an_order(storage, 2)
    async with storage.new_uow() as uow:
        uow.orders.add(order)
        await uow.commit()
    stale = storage.new_uow()
    async with stale:
        old = await stale.orders.find(order.id)
        assert old is not None
    async with storage.new_uow() as uow:
        (await uow.orders.get(order.id)).change_shipping_address(
            an_address(city="Leeds"), storage.clock.now()
        )
        await uow.commit()

    async with stale:
        stale.orders.add(old)  # as if it had been loaded in this unit of work
        old.change_shipping_address(an_address(city="York"), storage.clock.now())
        with pytest.raises(ConcurrencyError):
            await stale.commit()


async def test_order_numbers_are_never_handed_out_twice(storage: Storage) -> None:
    numbers = []
    for _ in range(5):
        async with storage.new_uow() as uow:
            numbers.append(await uow.orders.next_number())
    assert len(set(numbers)) == 5
    assert numbers == sorted(numbers)


async def test_orders_due_for_expiry_and_with_unsettled_payments_are_listed(
    storage: Storage,
) -> None:
    due_soon, due_later = an_order(storage, 3, minutes=10), an_order(storage, 4, minutes=60)
    payment_id = uuid.uuid4()
    due_later.start_payment(payment_id, Money(500, "EUR"), "tok_timeout", storage.clock.now())
    async with storage.new_uow() as uow:
        uow.orders.add(due_soon)
        uow.orders.add(due_later)
        await uow.commit()
    later = storage.clock.now() + timedelta(minutes=20)

    async with storage.new_uow() as uow:
        due = await uow.orders.due_for_expiry(later, 10)
        unsettled = await uow.orders.unsettled_before(later, 10)
        not_yet = await uow.orders.unsettled_before(storage.clock.now() - timedelta(seconds=1), 10)

    assert due == [due_soon.id]
    assert unsettled == [due_later.id]
    assert not_yet == []


async def test_stock_rows_are_locked_together_and_offers_say_what_is_for_sale(
    storage: Storage,
) -> None:
    product_id = await a_stocked_product(storage, **{"B-1": 4, "A-1": 2, "C-1": 0})

    async with storage.new_uow() as uow:
        locked = await uow.stock.get_many(["C-1", "A-1", "B-1", "NOPE"])
        offers = await uow.products.offers(["A-1", "B-1", "C-1", "NOPE"])

    assert list(locked) == ["A-1", "B-1", "C-1"]  # SKU order, unknown SKUs left out
    assert {sku: offer.available for sku, offer in offers.items()} == {"A-1": 2, "B-1": 4, "C-1": 0}
    assert all(offer.product_id == product_id and offer.purchasable for offer in offers.values())
    assert offers["A-1"].unit_price == Money(1500, "EUR")
