"""An order: the lines as sold, its payments and refunds, its shipment, and its state machine.

    awaiting_payment ─► partially_paid ─► paid ─► shipped ─► delivered
           └────────────────┴─────────────┴──► cancelled (customer, operator, payment_expired)

Every change is an event carrying the order's status after it; the same event is a line of
the order's timeline (`OrderEvent.note`), on the write side and in the read model alike.
Payments and refunds are two-step: they are recorded `pending` before the gateway is called
(never while a row is locked) and settled after, so a crash or a timeout in between leaves a
trace that a retry or the reconciler completes, with the gateway's idempotency key being the
payment's (or refund's) id.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

import msgspec

from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import ConflictError, DomainValidationError, NotFoundError
from commerce.domain.events import DomainEvent
from commerce.domain.values import Address, Money


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class CancelReason(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    PAYMENT_EXPIRED = "payment_expired"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


CAPTURED = frozenset(
    {PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}
)
AWAITING_PAYMENT = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.PARTIALLY_PAID})
CANCELLABLE = AWAITING_PAYMENT | {OrderStatus.PAID}


def order_number(sequence: int) -> str:
    return f"C-{sequence:06d}"


class OrderLine(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    product_id: UUID
    name: str
    image: str | None
    quantity: int
    unit_price: Money

    @property
    def total(self) -> Money:
        return self.unit_price.times(self.quantity)


class Refund(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    amount: Money
    succeeded: bool
    created_at: datetime


class Payment(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    amount: Money
    # The gateway's token for the card: needed to retry the charge, never shown or published.
    token: str
    status: PaymentStatus
    failure_reason: str | None = None
    charge_id: str | None = None
    refunds: tuple[Refund, ...] = ()
    created_at: datetime

    @property
    def captured(self) -> int:
        return self.amount.amount if self.status in CAPTURED else 0

    @property
    def refunded(self) -> Money:
        return Money(
            sum(r.amount.amount for r in self.refunds if r.succeeded), self.amount.currency
        )

    @property
    def refundable(self) -> int:
        """Captured and not refunded nor being refunded."""
        return self.captured - sum(r.amount.amount for r in self.refunds)

    def __repr__(self) -> str:
        return f"Payment(id={self.id}, amount={self.amount}, status={self.status})"


class Shipment(msgspec.Struct, frozen=True, kw_only=True):
    carrier: str
    tracking_number: str
    shipped_at: datetime
    delivered_at: datetime | None = None

    @property
    def status(self) -> str:
        return "delivered" if self.delivered_at else "shipped"


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    status: OrderStatus
    at: datetime
    note: str


# Events -------------------------------------------------------------------------------------


class OrderEvent(DomainEvent, frozen=True, kw_only=True):
    """What every order event carries: the order, its status after the change, and when."""

    order_id: UUID
    status: OrderStatus
    at: datetime

    def note(self) -> str:
        """The line the timeline shows for this event (write side and read model alike)."""
        return type(self).__name__


class OrderPlaced(OrderEvent, frozen=True, kw_only=True):
    number: str
    customer_id: UUID
    customer_email: str
    lines: list[OrderLine]
    total: Money
    shipping_address: Address
    billing_address: Address
    payment_due_at: datetime

    def note(self) -> str:
        return f"order {self.number} placed, {_money(self.total)} to pay"


class ShippingAddressChanged(OrderEvent, frozen=True, kw_only=True):
    shipping_address: Address

    def note(self) -> str:
        return "shipping address changed"


class PaymentStarted(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    amount: Money

    def note(self) -> str:
        return f"payment of {_money(self.amount)} started"


class PaymentSucceeded(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    amount: Money
    paid: Money  # captured on the order so far

    def note(self) -> str:
        return f"payment of {_money(self.amount)} succeeded"


class PaymentFailed(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    amount: Money
    failure_reason: str

    def note(self) -> str:
        return f"payment of {_money(self.amount)} failed: {self.failure_reason}"


class OrderCancelled(OrderEvent, frozen=True, kw_only=True):
    reason: CancelReason

    def note(self) -> str:
        return f"cancelled ({self.reason})"


class ReservationReleased(OrderEvent, frozen=True, kw_only=True):
    lines: list[OrderLine]

    def note(self) -> str:
        return "reserved stock released"


class RefundStarted(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    refund_id: UUID
    amount: Money

    def note(self) -> str:
        return f"refund of {_money(self.amount)} started"


class RefundSucceeded(OrderEvent, frozen=True, kw_only=True):
    payment_id: UUID
    refund_id: UUID
    amount: Money
    payment_status: PaymentStatus

    def note(self) -> str:
        return f"refund of {_money(self.amount)} succeeded"


class OrderShipped(OrderEvent, frozen=True, kw_only=True):
    carrier: str
    tracking_number: str
    lines: list[OrderLine]

    def note(self) -> str:
        return f"shipped with {self.carrier}, tracking {self.tracking_number}"


class OrderDelivered(OrderEvent, frozen=True, kw_only=True):
    def note(self) -> str:
        return "delivered"


ORDER_EVENTS = (
    OrderPlaced,
    ShippingAddressChanged,
    PaymentStarted,
    PaymentSucceeded,
    PaymentFailed,
    OrderCancelled,
    ReservationReleased,
    RefundStarted,
    RefundSucceeded,
    OrderShipped,
    OrderDelivered,
)


def _money(money: Money) -> str:
    return f"{money.amount / 100:.2f} {money.currency}"


# Errors ---------------------------------------------------------------------------------------


class IllegalTransitionError(ConflictError):
    code = "illegal_transition"

    def __init__(self, action: str, status: OrderStatus) -> None:
        super().__init__(f"cannot {action}: the order is {status}")
        self.status = status


class OverpaymentError(DomainValidationError):
    def __init__(self, due: int, currency: str) -> None:
        super().__init__("amount", f"more than the {due / 100:.2f} {currency} still due")


class EmptyCartError(DomainValidationError):
    def __init__(self) -> None:
        super().__init__("cart", "is empty: add items before checking out")


# The aggregate --------------------------------------------------------------------------------


class Order(Aggregate):
    aggregate_type: ClassVar[str] = "order"

    def __init__(
        self,
        *,
        order_id: UUID,
        number: str,
        customer_id: UUID,
        customer_email: str,
        lines: list[OrderLine],
        total: Money,
        shipping_address: Address,
        billing_address: Address,
        placed_at: datetime,
        payment_due_at: datetime,
        status: OrderStatus = OrderStatus.AWAITING_PAYMENT,
        cancel_reason: CancelReason | None = None,
        reservation_released: bool = False,
        payments: list[Payment] | None = None,
        shipment: Shipment | None = None,
        timeline: list[TimelineEntry] | None = None,
        version: int = 0,
    ) -> None:
        super().__init__(version)
        self.id = order_id
        self.number = number
        self.customer_id = customer_id
        self.customer_email = customer_email
        self.lines = lines
        self.total = total
        self.shipping_address = shipping_address
        self.billing_address = billing_address
        self.placed_at = placed_at
        self.payment_due_at = payment_due_at
        self.status = status
        self.cancel_reason = cancel_reason
        self.reservation_released = reservation_released
        self.payments: list[Payment] = list(payments or [])
        self.shipment = shipment
        self.timeline: list[TimelineEntry] = list(timeline or [])

    @property
    def aggregate_id(self) -> str:
        return str(self.id)

    # Placing ---------------------------------------------------------------------------------

    @classmethod
    def place(
        cls,
        *,
        order_id: UUID,
        number: str,
        customer_id: UUID,
        customer_email: str,
        lines: list[OrderLine],
        shipping_address: Address,
        billing_address: Address,
        now: datetime,
        payment_due_at: datetime,
    ) -> Order:
        if not lines:
            raise EmptyCartError
        total = lines[0].total
        for line in lines[1:]:
            total += line.total
        order = cls(
            order_id=order_id,
            number=number,
            customer_id=customer_id,
            customer_email=customer_email,
            lines=lines,
            total=total,
            shipping_address=shipping_address,
            billing_address=billing_address,
            placed_at=now,
            payment_due_at=payment_due_at,
        )
        order._happened(
            OrderPlaced(
                order_id=order_id,
                status=order.status,
                at=now,
                number=number,
                customer_id=customer_id,
                customer_email=customer_email,
                lines=lines,
                total=total,
                shipping_address=shipping_address,
                billing_address=billing_address,
                payment_due_at=payment_due_at,
            )
        )
        return order

    # Money -------------------------------------------------------------------------------------

    @property
    def paid(self) -> Money:
        return Money(sum(p.captured for p in self.payments), self.total.currency)

    @property
    def refunded(self) -> Money:
        amount = sum(p.refunded.amount for p in self.payments)
        return Money(amount, self.total.currency)

    @property
    def balance_due(self) -> int:
        """What may still be charged: pending payments count, so two at once cannot overpay."""
        pending = sum(p.amount.amount for p in self.payments if p.status == PaymentStatus.PENDING)
        return self.total.amount - self.paid.amount - pending

    def payment(self, payment_id: UUID) -> Payment:
        for payment in self.payments:
            if payment.id == payment_id:
                return payment
        raise NotFoundError(f"no payment {payment_id}")

    def has_payment(self, payment_id: UUID) -> bool:
        return any(p.id == payment_id for p in self.payments)

    def start_payment(self, payment_id: UUID, amount: Money, token: str, now: datetime) -> Payment:
        self._require(AWAITING_PAYMENT, "take a payment")
        if amount.currency != self.total.currency:
            raise DomainValidationError("amount", f"must be in {self.total.currency}")
        if amount.amount <= 0:
            raise DomainValidationError("amount", "must be positive")
        if amount.amount > self.balance_due:
            raise OverpaymentError(max(self.balance_due, 0), self.total.currency)
        payment = Payment(
            id=payment_id, amount=amount, token=token, status=PaymentStatus.PENDING, created_at=now
        )
        self.payments.append(payment)
        self._happened(
            PaymentStarted(
                order_id=self.id, status=self.status, at=now, payment_id=payment_id, amount=amount
            )
        )
        return payment

    def settle_payment(
        self,
        payment_id: UUID,
        *,
        succeeded: bool,
        charge_id: str | None,
        failure_reason: str | None,
        now: datetime,
    ) -> bool:
        """Record the gateway's answer; False if the payment was already settled (a retry or
        the reconciler got there first). A capture on a cancelled order is recorded too: the
        cancellation saga refunds it."""
        payment = self.payment(payment_id)
        if payment.status != PaymentStatus.PENDING:
            return False
        if not succeeded:
            reason = failure_reason or "declined"
            self._replace(payment, status=PaymentStatus.FAILED, failure_reason=reason)
            self._happened(
                PaymentFailed(
                    order_id=self.id,
                    status=self.status,
                    at=now,
                    payment_id=payment_id,
                    amount=payment.amount,
                    failure_reason=reason,
                )
            )
            return True
        self._replace(payment, status=PaymentStatus.SUCCEEDED, charge_id=charge_id)
        if self.status in AWAITING_PAYMENT:
            fully = self.paid.amount >= self.total.amount
            self.status = OrderStatus.PAID if fully else OrderStatus.PARTIALLY_PAID
        self._happened(
            PaymentSucceeded(
                order_id=self.id,
                status=self.status,
                at=now,
                payment_id=payment_id,
                amount=payment.amount,
                paid=self.paid,
            )
        )
        return True

    def pending_payments(self) -> list[Payment]:
        return [p for p in self.payments if p.status == PaymentStatus.PENDING]

    def start_refund(
        self, payment_id: UUID, refund_id: UUID, amount: int | None, now: datetime
    ) -> Refund:
        """`amount` None refunds what is left. Refunds in flight count, so two at once cannot
        refund more than was captured."""
        payment = self.payment(payment_id)
        for refund in payment.refunds:
            if refund.id == refund_id:
                return refund
        left = payment.refundable
        wanted = left if amount is None else amount
        if payment.captured == 0:
            raise ConflictError(f"payment {payment_id} is {payment.status}: nothing to refund")
        if wanted <= 0 or wanted > left:
            raise DomainValidationError(
                "amount", f"must be between 0.01 and the {left / 100:.2f} left to refund"
            )
        refund = Refund(
            id=refund_id,
            amount=Money(wanted, payment.amount.currency),
            succeeded=False,
            created_at=now,
        )
        self._replace(payment, refunds=(*payment.refunds, refund))
        self._happened(
            RefundStarted(
                order_id=self.id,
                status=self.status,
                at=now,
                payment_id=payment_id,
                refund_id=refund_id,
                amount=refund.amount,
            )
        )
        return refund

    def complete_refund(self, payment_id: UUID, refund_id: UUID, now: datetime) -> bool:
        payment = self.payment(payment_id)
        refunds = list(payment.refunds)
        index = next((i for i, r in enumerate(refunds) if r.id == refund_id), None)
        if index is None:
            raise NotFoundError(f"no refund {refund_id}")
        if refunds[index].succeeded:
            return False
        refunds[index] = msgspec.structs.replace(refunds[index], succeeded=True)
        refunded = sum(r.amount.amount for r in refunds if r.succeeded)
        status = (
            PaymentStatus.REFUNDED
            if refunded >= payment.amount.amount
            else PaymentStatus.PARTIALLY_REFUNDED
        )
        self._replace(payment, refunds=tuple(refunds), status=status)
        self._happened(
            RefundSucceeded(
                order_id=self.id,
                status=self.status,
                at=now,
                payment_id=payment_id,
                refund_id=refund_id,
                amount=refunds[index].amount,
                payment_status=status,
            )
        )
        return True

    def pending_refunds(self) -> list[tuple[Payment, Refund]]:
        return [(p, r) for p in self.payments for r in p.refunds if not r.succeeded]

    @property
    def unsettled_since(self) -> datetime | None:
        """When the oldest payment or refund still waiting for the gateway started."""
        started = [p.created_at for p in self.pending_payments()]
        started += [r.created_at for _, r in self.pending_refunds()]
        return min(started, default=None)

    # Lifecycle ---------------------------------------------------------------------------------

    def change_shipping_address(self, address: Address, now: datetime) -> None:
        self._require(CANCELLABLE, "change the shipping address")
        self.shipping_address = address
        self._happened(
            ShippingAddressChanged(
                order_id=self.id, status=self.status, at=now, shipping_address=address
            )
        )

    def cancel(self, reason: CancelReason, now: datetime) -> None:
        self._require(CANCELLABLE, "cancel")
        self.status = OrderStatus.CANCELLED
        self.cancel_reason = reason
        self._happened(OrderCancelled(order_id=self.id, status=self.status, at=now, reason=reason))

    def release_reservation(self, now: datetime) -> bool:
        """Mark the reserved stock released (the handler releases the stock rows in the same
        transaction); False if it was already done."""
        if self.status != OrderStatus.CANCELLED or self.reservation_released:
            return False
        self.reservation_released = True
        self._happened(
            ReservationReleased(order_id=self.id, status=self.status, at=now, lines=self.lines)
        )
        return True

    def ship(self, carrier: str, tracking_number: str, now: datetime) -> None:
        self._require({OrderStatus.PAID}, "ship")
        self.status = OrderStatus.SHIPPED
        self.shipment = Shipment(carrier=carrier, tracking_number=tracking_number, shipped_at=now)
        self._happened(
            OrderShipped(
                order_id=self.id,
                status=self.status,
                at=now,
                carrier=carrier,
                tracking_number=tracking_number,
                lines=self.lines,
            )
        )

    def deliver(self, now: datetime) -> None:
        self._require({OrderStatus.SHIPPED}, "mark as delivered")
        assert self.shipment is not None
        self.status = OrderStatus.DELIVERED
        self.shipment = msgspec.structs.replace(self.shipment, delivered_at=now)
        self._happened(OrderDelivered(order_id=self.id, status=self.status, at=now))

    # Helpers -----------------------------------------------------------------------------------

    def _require(self, allowed: frozenset[OrderStatus] | set[OrderStatus], action: str) -> None:
        if self.status not in allowed:
            raise IllegalTransitionError(action, self.status)

    def _replace(self, payment: Payment, **changes: object) -> None:
        self.payments = [
            msgspec.structs.replace(p, **changes) if p.id == payment.id else p
            for p in self.payments
        ]

    def _happened(self, event: OrderEvent) -> None:
        self.timeline.append(TimelineEntry(status=event.status, at=event.at, note=event.note()))
        self._record(event)
