"""The cart: its page reads the `carts` read model (priced now, as `GET /v1/cart`); the forms
change it on the write side, as the cart routes of the API do."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from commerce.application.cart import (
    AddCartItem,
    ApplyPromoCode,
    RemovePromoCode,
    SetCartItem,
    add_cart_item,
    apply_promo_code,
    get_cart,
    remove_promo_code,
    set_cart_item,
)
from commerce.domain.values import SKU_PATTERN, Sku
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.cart import CartItemBody, PromoCodeBody
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.web.forms import decode, fields
from commerce.entrypoints.web.rendering import after_command, page
from commerce.ports.auth import Principal
from commerce.ports.cart_views import CartViews
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings


class AddToCartForm(msgspec.Struct, frozen=True, kw_only=True):
    sku: Sku
    quantity: Annotated[int, msgspec.Meta(ge=1, le=99)] = 1


class CartPages(Controller):
    path = "/cart"
    guards = [requires_role("customer")]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @get("/", name="cart")
    async def show(
        self,
        principal: Injected[Principal],
        cart_views: Injected[CartViews],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Template:
        cart = await get_cart(principal.account_id, cart_views, uow, clock, settings.currency)
        return page("cart.html", cart=cart)

    @post("/items", status_code=303)
    async def add(
        self,
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Redirect:
        data = decode(fields(await request.form()), AddToCartForm)
        command = AddCartItem(
            customer_id=principal.account_id, sku=data.sku, quantity=data.quantity
        )
        result = await add_cart_item(command, uow, clock, settings.currency)
        return after_command("/cart", result.event_ids)

    @post("/items/{sku:str}", status_code=303)
    async def set_quantity(
        self,
        *,
        sku: Annotated[str, PathParameter(pattern=SKU_PATTERN)],
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Redirect:
        """Quantity 0 (the "Remove" button) takes the line out."""
        data = decode(fields(await request.form()), CartItemBody)
        command = SetCartItem(customer_id=principal.account_id, sku=sku, quantity=data.quantity)
        result = await set_cart_item(command, uow, clock, settings.currency)
        return after_command("/cart", result.event_ids)

    @post("/promo-code", status_code=303)
    async def apply_code(
        self,
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Redirect:
        data = decode(fields(await request.form()), PromoCodeBody)
        command = ApplyPromoCode(customer_id=principal.account_id, code=data.code)
        result = await apply_promo_code(command, uow, clock, settings.currency)
        return after_command("/cart", result.event_ids)

    @post("/promo-code/remove", status_code=303)
    async def remove_code(
        self,
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Redirect:
        command = RemovePromoCode(customer_id=principal.account_id)
        result = await remove_promo_code(command, uow, clock, settings.currency)
        return after_command("/cart", result.event_ids)
