"""Checkout under concurrency, against the real PostgreSQL: stock is never oversold and
overlapping carts never deadlock."""

import asyncio
import random
import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.application.checkout import OrderChanged, PlaceOrder, place_order
from commerce.domain.inventory import InsufficientStockError
from tests.shop import (
    PAYMENT_WINDOW,
    check_out,
    customer_with_cart,
    stock_of,
    stocked_product,
    unique_sku,
)


async def test_fifty_shoppers_racing_for_ten_units_make_exactly_ten_orders(
    database_url: str,
) -> None:
    engine = create_engine(database_url, pool_size=25)
    clock = FixedClock()
    try:
        new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
        sku = unique_sku("HOT")
        product_id = await stocked_product(new_uow, {sku: 10})
        shoppers = [await customer_with_cart(new_uow, {sku: 1}, product_id) for _ in range(50)]

        results = await asyncio.gather(
            *(check_out(new_uow, clock, shopper) for shopper in shoppers), return_exceptions=True
        )

        placed = [r for r in results if isinstance(r, OrderChanged)]
        refused = [r for r in results if isinstance(r, InsufficientStockError)]
        assert (len(placed), len(refused)) == (10, 40), [
            r for r in results if not isinstance(r, (OrderChanged, InsufficientStockError))
        ]
        item = await stock_of(new_uow, sku)
        assert (item.on_hand, item.reserved, item.available) == (10, 10, 0)
        assert len({r.order.number for r in placed}) == 10
    finally:
        await engine.dispose()


async def test_overlapping_multi_sku_carts_checked_out_at_once_never_deadlock(
    database_url: str,
) -> None:
    engine = create_engine(database_url, pool_size=20)
    clock = FixedClock()
    try:
        new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
        skus = [unique_sku("MIX") for _ in range(6)]
        product_id = await stocked_product(new_uow, dict.fromkeys(skus, 25))
        rng = random.Random(7)
        carts = []
        for _ in range(40):
            chosen = rng.sample(skus, k=rng.randint(2, 5))
            rng.shuffle(chosen)  # lines in every order: the handler must lock in SKU order
            carts.append({sku: rng.randint(1, 3) for sku in chosen})
        shoppers = [await customer_with_cart(new_uow, cart, product_id) for cart in carts]

        results = await asyncio.gather(
            *(check_out(new_uow, clock, shopper) for shopper in shoppers), return_exceptions=True
        )

        unexpected = [
            r for r in results if not isinstance(r, (OrderChanged, InsufficientStockError))
        ]
        assert unexpected == []  # no deadlock, no serialisation failure, nothing else
        placed = [r.order for r in results if isinstance(r, OrderChanged)]
        for sku in skus:
            item = await stock_of(new_uow, sku)
            sold = sum(line.quantity for order in placed for line in order.lines if line.sku == sku)
            assert item.reserved == sold
            assert 0 <= item.available == 25 - sold
    finally:
        await engine.dispose()


async def test_a_checkout_retried_with_the_same_order_id_places_one_order(
    engine: AsyncEngine,
) -> None:
    clock = FixedClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    sku = unique_sku()
    product_id = await stocked_product(new_uow, {sku: 5})
    shopper = await customer_with_cart(new_uow, {sku: 2}, product_id)
    command = PlaceOrder(order_id=uuid.uuid4(), customer_id=shopper.id)

    first = await place_order(command, new_uow(), clock, PAYMENT_WINDOW, "EUR")
    again = await place_order(command, new_uow(), clock, PAYMENT_WINDOW, "EUR")

    assert again.order.id == first.order.id
    assert again.order.number == first.order.number
    assert again.event_ids == []
    assert (await stock_of(new_uow, sku)).reserved == 2
