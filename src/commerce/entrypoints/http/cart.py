"""The customer's cart: read from the read models, changed on the write side."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, delete, get, put
from litestar.params import JSONBody, PathParameter

from commerce.application.cart import (
    ApplyPromoCode,
    CartChanged,
    EmptyCart,
    RemovePromoCode,
    SetCartItem,
    apply_promo_code,
    empty_cart,
    get_cart,
    remove_promo_code,
    set_cart_item,
)
from commerce.domain.cart import MAX_QUANTITY
from commerce.domain.pricing import PricedCart
from commerce.domain.values import SKU_PATTERN
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.problems import problem_specs
from commerce.entrypoints.http.responses import command_headers
from commerce.ports.auth import Principal
from commerce.ports.cart_views import CartViews
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings


class CartItemBody(msgspec.Struct, frozen=True):
    quantity: Annotated[int, msgspec.Meta(ge=0, le=MAX_QUANTITY)]


class PromoCodeBody(msgspec.Struct, frozen=True):
    """Case and surrounding spaces do not matter."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class CartController(Controller):
    path = "/v1/cart"
    tags = ["cart"]  # noqa: RUF012 (Litestar reads it as a class attribute)
    guards = [requires_role("customer")]  # noqa: RUF012

    @get(
        "/",
        operation_id="getCart",
        summary="The cart, priced now",
        cache=False,
        responses=problem_specs(400, 401, 403, 422, 503),
    )
    async def show(
        self,
        principal: Injected[Principal],
        cart_views: Injected[CartViews],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> PricedCart:
        """Lines no longer for sale, or short of stock, show `available: false` and are not
        counted in the totals. Unit prices are after the sales in force now (`list_unit_price`
        before); a code that no longer applies (expired, ...) takes nothing off, and
        `promo_code_rejection` says why. While PostgreSQL is down the cart is still shown,
        with `pricing: "estimated"`: list prices, the code kept but not checked and taking
        nothing off (never less than checkout will charge for the same offers)."""
        return await get_cart(principal.account_id, cart_views, uow, clock, settings.currency)

    @put(
        "/items/{sku:str}",
        operation_id="setCartItem",
        summary="Set the quantity of a SKU in the cart",
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def set_item(
        self,
        sku: Annotated[str, PathParameter(pattern=SKU_PATTERN)],
        *,
        data: JSONBody[CartItemBody],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Response[PricedCart]:
        """Quantity 0 removes the line. 404 for an unknown SKU; 409 when it is not for sale
        or fewer units are available. Answers with the whole cart."""
        command = SetCartItem(customer_id=principal.account_id, sku=sku, quantity=data.quantity)
        return _cart_response(await set_cart_item(command, uow, clock, settings.currency))

    @delete(
        "/",
        operation_id="emptyCart",
        summary="Empty the cart",
        status_code=200,
        responses=problem_specs(401, 403, 409),
    )
    async def empty(
        self,
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Response[PricedCart]:
        """200 with the (empty) cart rather than 204: like every cart change, it answers with
        the cart, and its `Consistency-Token` lets the next `GET /v1/cart` see the change. The
        promo code goes too."""
        command = EmptyCart(customer_id=principal.account_id)
        return _cart_response(await empty_cart(command, uow, clock, settings.currency))

    @put(
        "/promo-code",
        operation_id="applyPromoCode",
        summary="Enter a promo code",
        responses=problem_specs(400, 401, 403, 409, 422),
    )
    async def apply_code(
        self,
        data: JSONBody[PromoCodeBody],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Response[PricedCart]:
        """The code replaces any other, if it applies to the cart now: else a 422 whose
        `reason` is `unknown`, `disabled`, `not_started`, `expired`, `exhausted`,
        `per_customer_limit` or `below_minimum` (with `missing`: how much more to add)."""
        command = ApplyPromoCode(customer_id=principal.account_id, code=data.code)
        return _cart_response(await apply_promo_code(command, uow, clock, settings.currency))

    @delete(
        "/promo-code",
        operation_id="removePromoCode",
        summary="Remove the promo code",
        status_code=200,
        responses=problem_specs(401, 403, 409),
    )
    async def remove_code(
        self,
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Response[PricedCart]:
        """200 with the cart (as every cart change); harmless when there is no code."""
        command = RemovePromoCode(customer_id=principal.account_id)
        return _cart_response(await remove_promo_code(command, uow, clock, settings.currency))


def _cart_response(result: CartChanged) -> Response[PricedCart]:
    return Response(result.cart, headers=command_headers(result.event_ids))
