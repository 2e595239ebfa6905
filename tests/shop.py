"""A small store for tests of the order side: products with stock, customers with carts."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.memory.payment_gateway import InMemoryPaymentGateway
from commerce.adapters.postgres.outbox import envelope_from_row
from commerce.adapters.postgres.tables import outbox
from commerce.application.checkout import OrderChanged, PlaceOrder, place_order
from commerce.application.inventory import SetStock, set_stock
from commerce.application.orders import DeliverOrder, ShipOrder, deliver_order, ship_order
from commerce.application.payments import SubmitPayment, submit_payment
from commerce.domain.account import Account
from commerce.domain.events import EventEnvelope
from commerce.domain.inventory import StockItem
from commerce.domain.order import Order
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork
from tests.support import new_account, new_product

PAYMENT_WINDOW = timedelta(minutes=30)
NewUnitOfWork = Callable[[], UnitOfWork]


def unique_sku(prefix: str = "SKU") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def stocked_product(
    new_uow: NewUnitOfWork, stock: Mapping[str, int], price: int = 2500
) -> UUID:
    """A product with one variant per SKU, each with `stock[sku]` units on hand."""
    product = new_product(*stock, price=price)
    async with new_uow() as uow:
        uow.products.add(product)
        for sku in stock:
            uow.stock.add(StockItem.open(sku, product.id))
        await uow.commit()
    for sku, on_hand in stock.items():
        await set_stock(SetStock(sku=sku, on_hand=on_hand), new_uow())
    return product.id


async def customer_with_cart(
    new_uow: NewUnitOfWork, cart: Mapping[str, int], product_id: UUID | Mapping[str, UUID]
) -> Account:
    account = new_account(email=f"c-{uuid.uuid4().hex[:12]}@example.com")
    async with new_uow() as uow:
        uow.accounts.add(account)
        basket = await uow.carts.get(account.id)
        for sku, quantity in cart.items():
            owner = product_id if isinstance(product_id, UUID) else product_id[sku]
            basket.set_item(sku, owner, quantity)
        await uow.commit()
    return account


async def check_out(new_uow: NewUnitOfWork, clock: Clock, customer: Account) -> OrderChanged:
    command = PlaceOrder(order_id=uuid.uuid4(), customer_id=customer.id)
    return await place_order(command, new_uow(), clock, PAYMENT_WINDOW, "EUR")


async def paid(new_uow: NewUnitOfWork, clock: Clock, placed: OrderChanged) -> None:
    """The order paid in full with the gateway's test card (the in-memory gateway: what it
    charges is not the point)."""
    order = placed.order
    command = SubmitPayment(
        order_id=order.id,
        payment_id=uuid.uuid4(),
        customer_id=order.customer_id,
        amount=order.total,
        token="tok_visa",
    )
    await submit_payment(command, new_uow(), InMemoryPaymentGateway(), clock)


async def delivered(new_uow: NewUnitOfWork, clock: Clock, customer: Account) -> Order:
    """The customer's cart checked out, paid, shipped and delivered."""
    placed = await check_out(new_uow, clock, customer)
    await paid(new_uow, clock, placed)
    order_id = placed.order.id
    await ship_order(
        ShipOrder(order_id=order_id, carrier="DHL", tracking_number="T1"), new_uow(), clock
    )
    return (await deliver_order(DeliverOrder(order_id=order_id), new_uow(), clock)).order


async def stock_of(new_uow: NewUnitOfWork, sku: str) -> StockItem:
    async with new_uow() as uow:
        return await uow.stock.get(sku)


async def order_of(new_uow: NewUnitOfWork, order_id: UUID) -> Order:
    async with new_uow() as uow:
        return await uow.orders.get(order_id)


async def recorded_events(engine: AsyncEngine, order_id: UUID) -> list[EventEnvelope]:
    """The order's events as they stand in the outbox, oldest first."""
    query = (
        select(outbox)
        .where(outbox.c.aggregate_type == "order", outbox.c.aggregate_id == str(order_id))
        .order_by(outbox.c.id)
    )
    async with engine.connect() as connection:
        return [envelope_from_row(row) for row in (await connection.execute(query)).mappings()]
