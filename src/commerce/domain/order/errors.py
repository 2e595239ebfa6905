"""What an order refuses to do."""

from __future__ import annotations

from commerce.domain.errors import ConflictError, DomainValidationError
from commerce.domain.order.values import OrderStatus
from commerce.domain.values import Money


class IllegalTransitionError(ConflictError):
    code = "illegal_transition"

    def __init__(self, action: str, status: OrderStatus) -> None:
        super().__init__(f"cannot {action}: the order is {status}")
        self.status = status


class OverpaymentError(DomainValidationError):
    def __init__(self, due: int, currency: str) -> None:
        due_money = Money(due, currency)
        super().__init__("amount", f"more than the {due_money.formatted()} still due")


class EmptyCartError(DomainValidationError):
    def __init__(self) -> None:
        super().__init__("cart", "is empty: add items before checking out")
