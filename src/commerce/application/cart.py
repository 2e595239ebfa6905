"""Cart commands (set a line, empty the cart) and the cart query.

Writes answer with the cart priced from the write side's current catalogue (the customer sees
the effect of their own change at once); `GET /v1/cart` reads the read models."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import msgspec

from commerce.application.conflicts import retried_on_conflict
from commerce.domain.errors import NotFoundError
from commerce.domain.inventory import InsufficientStockError
from commerce.domain.pricing import NotForSaleError, PricedCart, price_cart
from commerce.ports.cart_views import CartViews
from commerce.ports.unit_of_work import UnitOfWork


class SetCartItem(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: UUID
    sku: str
    quantity: int


class EmptyCart(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: UUID


@dataclass(frozen=True)
class CartChanged:
    cart: PricedCart
    event_ids: list[UUID]


@retried_on_conflict
async def set_cart_item(cmd: SetCartItem, uow: UnitOfWork, currency: str) -> CartChanged:
    """Quantity 0 removes the line. 404 for an unknown SKU; 409 when the SKU is not for sale
    or fewer units are available than asked for."""
    async with uow:
        cart = await uow.carts.get(cmd.customer_id)
        # One look-up prices the line asked for and the cart as it will be.
        offers = await uow.products.offers([cmd.sku, *(line.sku for line in cart.lines)])
        if cmd.quantity == 0:
            cart.remove_item(cmd.sku)
        else:
            offer = offers.get(cmd.sku)
            if offer is None:
                raise NotFoundError(f"no SKU {cmd.sku}")
            if not offer.purchasable:
                raise NotForSaleError(f"{cmd.sku} is no longer for sale")
            if cmd.quantity > offer.available:
                raise InsufficientStockError.short_of(cmd.sku, cmd.quantity, offer.available)
            cart.set_item(cmd.sku, offer.product_id, cmd.quantity)
        event_ids = await uow.commit()
        return CartChanged(price_cart(cart.lines, offers, currency), event_ids)


@retried_on_conflict
async def empty_cart(cmd: EmptyCart, uow: UnitOfWork, currency: str) -> CartChanged:
    async with uow:
        cart = await uow.carts.get(cmd.customer_id)
        cart.empty()
        event_ids = await uow.commit()
        return CartChanged(price_cart(cart.lines, {}, currency), event_ids)


async def get_cart(customer_id: UUID, views: CartViews) -> PricedCart:
    return await views.get_cart(customer_id)
