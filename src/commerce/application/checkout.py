"""Checkout: the cart becomes an order, its stock reserved and its promo code redeemed, in one
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.application.pricing import pricing_context
from commerce.domain.cart import CartLine
from commerce.domain.errors import AlreadyExistsError, DomainValidationError
from commerce.domain.inventory import InsufficientStockError, StockItem
from commerce.domain.order import EmptyCartError, Order, OrderLine, order_number
from commerce.domain.pricing import (
    CartContents,
    Offer,
    PricedLine,
    PromoCodeRejectedError,
    price_cart,
)
from commerce.domain.values import Address
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork


class PlaceOrder(msgspec.Struct, frozen=True, kw_only=True):
    """`order_id` is derived from the request's idempotency key: a retry that arrives after
    the order was committed finds it instead of placing a second one."""

    order_id: UUID
    customer_id: UUID
    shipping_address: Address | None = None
    billing_address: Address | None = None


@dataclass(frozen=True)
class OrderChanged:
    order: Order
    event_ids: list[UUID]


@command
@retried_on_conflict
async def place_order(
    cmd: PlaceOrder, uow: UnitOfWork, clock: Clock, payment_window: timedelta, currency: str
) -> OrderChanged:
    """Price the cart now (`price_cart`: sales in force, the cart's code), reserve every line
    (all or nothing), redeem the code, create the order with the breakdown it sold at, and
    empty the cart. 422 for an empty cart, no shipping address, or a code that no longer
    applies (with the reason: the shopper removes it, or checks out again); 409
    `out_of_stock` naming every SKU that is short. Two checkouts racing for a code's last
    redemption (or a customer's last use) both change the code: its version check lets one
    commit, and the other, run again, finds the code used up."""
    async with uow:
        cart = await uow.carts.get(cmd.customer_id)
        if cart.is_empty:
            return await _placed_already(uow, cmd, EmptyCartError())
        account = await uow.accounts.get(cmd.customer_id)
        shipping = cmd.shipping_address or account.shipping_address
        if shipping is None:
            raise DomainValidationError("shipping_address", "is required: the account has none")
        billing = cmd.billing_address or account.billing_address or shipping
        number = order_number(await uow.orders.next_number())
        # Stock late: the less time between reading it and committing, the fewer lost races;
        # only the pricing reads, which need the offers read with it, come after.
        stock, offers = await uow.stock.get_many_offered(line.sku for line in cart.lines)
        _check_sellable(cart.lines, offers, stock)
        now = clock.now()
        contents = CartContents(lines=cart.lines, promo_code=cart.promo_code, offers=offers)
        context = await pricing_context(uow, contents, cmd.customer_id, now, currency)
        priced = price_cart(contents, context)
        if priced.promo_code_rejection is not None:
            raise PromoCodeRejectedError(priced.promo_code_rejection)
        for line in cart.lines:
            stock[line.sku].reserve(line.quantity, reason=f"order {number}")
        if context.code is not None:
            context.code.redeem(
                order_id=cmd.order_id,
                customer_id=cmd.customer_id,
                subtotal=priced.subtotal,
                customer_redemptions=context.customer_redemptions,
                now=now,
            )
        order = Order.place(
            order_id=cmd.order_id,
            number=number,
            customer_id=cmd.customer_id,
            customer_email=account.email,
            lines=[_sold_line(item) for item in priced.items],
            shipping_address=shipping,
            billing_address=billing,
            now=now,
            payment_due_at=now + payment_window,
            promo_code=priced.promo_code,
            discount=priced.discount,
        )
        uow.orders.add(order)
        cart.empty(reason="checked_out")
        try:
            event_ids = await uow.commit()
        except AlreadyExistsError as error:
            return await _placed_already(uow, cmd, error)
    return OrderChanged(order, event_ids)


async def _placed_already(uow: UnitOfWork, cmd: PlaceOrder, error: Exception) -> OrderChanged:
    """A retry of a checkout that was committed (the cart is empty, or the order's id, derived
    from the request's key, is taken): the order it placed, or else `error`."""
    placed = await uow.orders.find(cmd.order_id)
    if placed is None or placed.customer_id != cmd.customer_id:
        raise error
    return OrderChanged(placed, [])


def _check_sellable(
    lines: list[CartLine], offers: dict[str, Offer], stock: dict[str, StockItem]
) -> None:
    short = [
        line.sku
        for line in lines
        if line.sku not in offers
        or not offers[line.sku].purchasable
        or line.sku not in stock
        or stock[line.sku].available < line.quantity
    ]
    if short:
        raise InsufficientStockError(f"not enough stock for: {', '.join(short)}")


def _sold_line(item: PricedLine) -> OrderLine:
    return OrderLine(
        sku=item.sku,
        product_id=item.product_id,
        name=item.name,
        image=item.image,
        quantity=item.quantity,
        unit_price=item.unit_price,
        list_unit_price=item.list_unit_price,
    )
