"""A customer's cart: quantities by SKU, and the promo code the customer entered. Prices are not
kept here: they are computed from the current catalogue whenever the cart is shown, and fixed
only when the order is placed."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

import msgspec

from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import DomainValidationError
from commerce.domain.events import DomainEvent
from commerce.domain.values import check_sku

MAX_LINES = 100
MAX_QUANTITY = 1000


class CartLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    product_id: UUID
    quantity: int


# Events carry the resulting lines and code, so the read model only keeps the newest version.
# Version 2 added `promo_code` to the first three.


class CartEvent(DomainEvent, frozen=True, kw_only=True):
    schema_version: ClassVar[int] = 2

    customer_id: UUID
    lines: list[CartLine]
    promo_code: str | None


class CartItemSet(CartEvent, frozen=True, kw_only=True):
    sku: str
    quantity: int


class CartItemRemoved(CartEvent, frozen=True, kw_only=True):
    sku: str


class CartEmptied(CartEvent, frozen=True, kw_only=True):
    reason: str  # "emptied" by the customer or "checked_out"


class CartPromoCodeApplied(CartEvent, frozen=True, kw_only=True):
    pass


class CartPromoCodeRemoved(CartEvent, frozen=True, kw_only=True):
    pass


CART_EVENTS = (
    CartItemSet,
    CartItemRemoved,
    CartEmptied,
    CartPromoCodeApplied,
    CartPromoCodeRemoved,
)


def _upcast_cart_event_v1(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "promo_code": None}  # no cart held a code before version 2


CART_UPCASTERS = tuple(
    (event_type.type_name(), 1, _upcast_cart_event_v1)
    for event_type in (CartItemSet, CartItemRemoved, CartEmptied)
)


class Cart(Aggregate):
    aggregate_type: ClassVar[str] = "cart"

    def __init__(
        self,
        *,
        customer_id: UUID,
        lines: list[CartLine] | None = None,
        promo_code: str | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(version)
        self.customer_id = customer_id
        self.lines: list[CartLine] = list(lines or [])
        self.promo_code = promo_code

    @property
    def aggregate_id(self) -> str:
        return str(self.customer_id)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    def quantity_of(self, sku: str) -> int:
        return next((line.quantity for line in self.lines if line.sku == sku), 0)

    def set_item(self, sku: str, product_id: UUID, quantity: int) -> None:
        """Quantity 0 removes the line; a new SKU goes to the end, a known one keeps its place."""
        check_sku(sku)
        if not 0 <= quantity <= MAX_QUANTITY:
            raise DomainValidationError("quantity", f"must be between 0 and {MAX_QUANTITY}")
        if quantity == 0:
            self.remove_item(sku)
            return
        line = CartLine(sku=sku, product_id=product_id, quantity=quantity)
        if self.quantity_of(sku):
            self.lines = [line if existing.sku == sku else existing for existing in self.lines]
        elif len(self.lines) >= MAX_LINES:
            raise DomainValidationError("sku", f"a cart holds at most {MAX_LINES} lines")
        else:
            self.lines = [*self.lines, line]
        self._record(
            CartItemSet(
                customer_id=self.customer_id,
                sku=sku,
                quantity=quantity,
                lines=self.lines,
                promo_code=self.promo_code,
            )
        )

    def remove_item(self, sku: str) -> None:
        if not self.quantity_of(sku):
            return
        self.lines = [line for line in self.lines if line.sku != sku]
        self._record(
            CartItemRemoved(
                customer_id=self.customer_id, sku=sku, lines=self.lines, promo_code=self.promo_code
            )
        )

    def empty(self, reason: str = "emptied") -> None:
        """No lines and no code left (a checkout used the code up; an empty cart needs none)."""
        if self.is_empty and self.promo_code is None:
            return
        self.lines = []
        self.promo_code = None
        self._record(
            CartEmptied(customer_id=self.customer_id, reason=reason, lines=[], promo_code=None)
        )

    def apply_code(self, code: str) -> None:
        """Keep `code` (checked by the caller: it applies now) in place of any other."""
        if code == self.promo_code:
            return
        self.promo_code = code
        self._record(
            CartPromoCodeApplied(customer_id=self.customer_id, lines=self.lines, promo_code=code)
        )

    def remove_code(self) -> None:
        if self.promo_code is None:
            return
        self.promo_code = None
        self._record(
            CartPromoCodeRemoved(customer_id=self.customer_id, lines=self.lines, promo_code=None)
        )
