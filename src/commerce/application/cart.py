"""Cart commands (set a line, empty the cart, enter or remove a promo code) and the cart query.

Writes answer with the cart priced from the write side's current catalogue (the customer sees
the effect of their own change at once); `GET /v1/cart` reads the cart and the offers from the
read models, and prices them with the code's terms and the sales in force, which only the write
side holds (the search read model shows sales as the scheduler starts them, not to the instant).
While the write side is down, the cart is still shown, estimated from the read models alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.application.pricing import priced_now
from commerce.domain.cart import Cart
from commerce.domain.errors import DomainValidationError, NotFoundError
from commerce.domain.inventory import InsufficientStockError
from commerce.domain.pricing import (
    CartContents,
    NotForSaleError,
    Offer,
    PricedCart,
    PromoCodeRejectedError,
    estimate_cart,
    normalize_code,
)
from commerce.ports.cart_views import CartViews
from commerce.ports.clock import Clock
from commerce.ports.health import DependencyUnavailableError
from commerce.ports.unit_of_work import UnitOfWork


class SetCartItem(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: UUID
    sku: str
    quantity: int


class AddCartItem(msgspec.Struct, frozen=True, kw_only=True):
    """Put `quantity` more of the SKU in the cart (a shop's "add to cart")."""

    customer_id: UUID
    sku: str
    quantity: int


class EmptyCart(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: UUID


class ApplyPromoCode(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: UUID
    code: str  # as typed: case and surrounding spaces do not matter


class RemovePromoCode(msgspec.Struct, frozen=True, kw_only=True):
    customer_id: UUID


@dataclass(frozen=True)
class CartChanged:
    cart: PricedCart
    event_ids: list[UUID]


@command
@retried_on_conflict
async def set_cart_item(
    cmd: SetCartItem, uow: UnitOfWork, clock: Clock, currency: str
) -> CartChanged:
    """Quantity 0 removes the line. 404 for an unknown SKU; 409 when the SKU is not for sale
    or fewer units are available than asked for."""
    async with uow:
        cart = await uow.carts.get(cmd.customer_id)
        return await _set_line(cart, cmd.sku, cmd.quantity, uow, clock=clock, currency=currency)


@retried_on_conflict
async def add_cart_item(
    cmd: AddCartItem, uow: UnitOfWork, clock: Clock, currency: str
) -> CartChanged:
    """As `set_cart_item`, to the quantity already in the cart plus `quantity` (at least 1)."""
    if cmd.quantity < 1:
        raise DomainValidationError("quantity", "must be at least 1")
    async with uow:
        cart = await uow.carts.get(cmd.customer_id)
        quantity = cart.quantity_of(cmd.sku) + cmd.quantity
        return await _set_line(cart, cmd.sku, quantity, uow, clock=clock, currency=currency)


async def _set_line(
    cart: Cart, sku: str, quantity: int, uow: UnitOfWork, *, clock: Clock, currency: str
) -> CartChanged:
    # One look-up prices the line asked for and the cart as it will be.
    offers = await uow.products.offers([sku, *(line.sku for line in cart.lines)])
    if quantity == 0:
        cart.remove_item(sku)
    else:
        offer = offers.get(sku)
        if offer is None:
            raise NotFoundError(f"no SKU {sku}")
        if not offer.purchasable:
            raise NotForSaleError(f"{sku} is no longer for sale")
        if quantity > offer.available:
            raise InsufficientStockError.short_of(sku, quantity, offer.available)
        cart.set_item(sku, offer.product_id, quantity)
    priced = await _priced(uow, cart, offers, clock, currency)
    return CartChanged(priced, await uow.commit())


@command
@retried_on_conflict
async def empty_cart(cmd: EmptyCart, uow: UnitOfWork, clock: Clock, currency: str) -> CartChanged:
    async with uow:
        cart = await uow.carts.get(cmd.customer_id)
        cart.empty()
        priced = await _priced(uow, cart, {}, clock, currency)
        return CartChanged(priced, await uow.commit())


@command
@retried_on_conflict
async def apply_promo_code(
    cmd: ApplyPromoCode, uow: UnitOfWork, clock: Clock, currency: str
) -> CartChanged:
    """Keep the code in the cart if it applies to it now; else a 422 with the reason
    (unknown, not started, expired, exhausted, used as often as a customer may, or the
    subtotal below its minimum, saying how much more to add)."""
    code = normalize_code(cmd.code)
    async with uow:
        cart = await uow.carts.get(cmd.customer_id)
        offers = await uow.products.offers(line.sku for line in cart.lines)
        contents = CartContents(lines=cart.lines, promo_code=code, offers=offers)
        priced = await priced_now(uow, contents, cmd.customer_id, clock.now(), currency)
        if priced.promo_code_rejection is not None:
            raise PromoCodeRejectedError(priced.promo_code_rejection)
        cart.apply_code(code)
        return CartChanged(priced, await uow.commit())


@command
@retried_on_conflict
async def remove_promo_code(
    cmd: RemovePromoCode, uow: UnitOfWork, clock: Clock, currency: str
) -> CartChanged:
    async with uow:
        cart = await uow.carts.get(cmd.customer_id)
        cart.remove_code()
        offers = await uow.products.offers(line.sku for line in cart.lines)
        priced = await _priced(uow, cart, offers, clock, currency)
        return CartChanged(priced, await uow.commit())


async def get_cart(
    customer_id: UUID, views: CartViews, uow: UnitOfWork, clock: Clock, currency: str
) -> PricedCart:
    """`pricing: estimated` (list prices, the code not checked) when the sales in force and
    the code's terms cannot be read: a shopper still sees their cart, and checkout, which
    needs the write side anyway, prices it for real."""
    contents = await views.get_cart(customer_id)
    at = clock.now()
    try:
        async with uow:
            return await priced_now(uow, contents, customer_id, at, currency)
    except DependencyUnavailableError:
        return estimate_cart(contents, at, currency)


async def _priced(
    uow: UnitOfWork, cart: Cart, offers: dict[str, Offer], clock: Clock, currency: str
) -> PricedCart:
    contents = CartContents(lines=cart.lines, promo_code=cart.promo_code, offers=offers)
    return await priced_now(uow, contents, cart.customer_id, clock.now(), currency)
