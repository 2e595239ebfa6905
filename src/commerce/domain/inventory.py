"""Stock per SKU: counted on hand, reserved by open orders; available is the difference.

An order reserves units when it is placed; cancelling releases them; shipping turns them into
a sale (they leave `on_hand` and `reserved` together and count as `sold`). Whatever happens,
`0 <= reserved <= on_hand` and `sold` only grows.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import ConflictError, DomainValidationError
from commerce.domain.events import DomainEvent


class StockLevelChanged(DomainEvent, frozen=True, kw_only=True):
    """Carries the resulting levels, so a consumer needs no earlier event to be right.

    Version 2 added `sold` (units shipped so far)."""

    schema_version: ClassVar[int] = 2

    sku: str
    product_id: UUID
    on_hand: int
    reserved: int
    available: int
    sold: int
    reason: str


def _upcast_stock_level_changed_v1(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "sold": 0}  # nothing could be sold before version 2 existed


INVENTORY_EVENTS = (StockLevelChanged,)
INVENTORY_UPCASTERS = ((StockLevelChanged.type_name(), 1, _upcast_stock_level_changed_v1),)


class BelowReservedError(ConflictError):
    code = "below_reserved"


class InsufficientStockError(ConflictError):
    code = "out_of_stock"

    @classmethod
    def short_of(cls, sku: str, wanted: int, available: int) -> InsufficientStockError:
        return cls(f"{sku}: {wanted} wanted, {max(available, 0)} available")


class StockItem(Aggregate):
    aggregate_type: ClassVar[str] = "stock"

    def __init__(
        self,
        *,
        sku: str,
        product_id: UUID,
        on_hand: int = 0,
        reserved: int = 0,
        sold: int = 0,
        version: int = 0,
    ) -> None:
        super().__init__(version)
        self.sku = sku
        self.product_id = product_id
        self.on_hand = on_hand
        self.reserved = reserved
        self.sold = sold

    @property
    def aggregate_id(self) -> str:
        return self.sku

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @classmethod
    def open(cls, sku: str, product_id: UUID, on_hand: int = 0) -> StockItem:
        if on_hand < 0:
            raise DomainValidationError("on_hand", "must not be negative")
        item = cls(sku=sku, product_id=product_id, on_hand=on_hand)
        item._changed("created")
        return item

    def set_counted(self, on_hand: int) -> None:
        if on_hand < 0:
            raise DomainValidationError("on_hand", "must not be negative")
        if on_hand < self.reserved:
            raise BelowReservedError(
                f"{self.sku}: {self.reserved} units are reserved, cannot count {on_hand}"
            )
        self.on_hand = on_hand
        self._changed("counted")

    def adjust(self, delta: int, reason: str) -> None:
        if delta == 0:
            raise DomainValidationError("delta", "must not be zero")
        if self.on_hand + delta < self.reserved:
            raise BelowReservedError(
                f"{self.sku}: writing off {-delta} would leave less than the "
                f"{self.reserved} reserved"
            )
        self.on_hand += delta
        self._changed(reason)

    def reserve(self, quantity: int, reason: str) -> None:
        _check_quantity(quantity)
        if quantity > self.available:
            raise InsufficientStockError.short_of(self.sku, quantity, self.available)
        self.reserved += quantity
        self._changed(reason)

    def release(self, quantity: int, reason: str) -> None:
        _check_quantity(quantity)
        if quantity > self.reserved:
            raise BelowReservedError(f"{self.sku}: only {self.reserved} units are reserved")
        self.reserved -= quantity
        self._changed(reason)

    def sell_reserved(self, quantity: int, reason: str) -> None:
        """Reserved units leave the shelf: shipped."""
        _check_quantity(quantity)
        if quantity > self.reserved:
            raise BelowReservedError(f"{self.sku}: only {self.reserved} units are reserved")
        self.reserved -= quantity
        self.on_hand -= quantity
        self.sold += quantity
        self._changed(reason)

    def _changed(self, reason: str) -> None:
        self._record(
            StockLevelChanged(
                sku=self.sku,
                product_id=self.product_id,
                on_hand=self.on_hand,
                reserved=self.reserved,
                available=self.available,
                sold=self.sold,
                reason=reason,
            )
        )


def _check_quantity(quantity: int) -> None:
    if quantity <= 0:
        raise DomainValidationError("quantity", "must be at least 1")
