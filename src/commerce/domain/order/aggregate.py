"""The order aggregate and its state machine:

    awaiting_payment ─► partially_paid ─► paid ─► shipped ─► delivered
           └────────────────┴─────────────┴──► cancelled (customer, operator, payment_expired)

Every change appends an event (`events.py`) and the timeline line it reads as. A payment or
refund is recorded `pending` before the gateway is called and settled after, so a crash or a
timeout in between leaves a trace that a retry or the reconciler completes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from commerce.domain.aggregate import Aggregate
from commerce.domain.errors import ConflictError, DomainValidationError, NotFoundError
from commerce.domain.order.errors import EmptyCartError, IllegalTransitionError, OverpaymentError
from commerce.domain.order.events import (
    OrderCancelled,
    OrderDelivered,
    OrderEvent,
    OrderPlaced,
    OrderShipped,
    PaymentFailed,
    PaymentStarted,
    PaymentSucceeded,
    RefundStarted,
    RefundSucceeded,
    ReservationReleased,
    ShippingAddressChanged,
)
from commerce.domain.order.payments import Payment, PaymentStatus, Refund
from commerce.domain.order.values import (
    AWAITING_PAYMENT,
    CANCELLABLE,
    DELIVERABLE,
    SHIPPABLE,
    CancelReason,
    OrderLine,
    OrderStatus,
    Shipment,
    TimelineEntry,
)
from commerce.domain.values import Address, Money


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
        promo_code: str | None = None,
        discount: Money | None = None,
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
        self.promo_code = promo_code
        self.discount = discount or Money(0, total.currency)
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
        promo_code: str | None = None,
        discount: Money | None = None,
    ) -> Order:
        """`lines` at the prices they sell at, and the code's `discount` off their sum (as
        `price()` gave them). An order with nothing left to pay is paid at once."""
        if not lines:
            raise EmptyCartError
        subtotal = _sum(line.total for line in lines)
        discount = discount or Money(0, subtotal.currency)
        if not 0 <= discount.amount <= subtotal.amount:
            raise DomainValidationError("discount", "must be between 0 and the subtotal")
        total = subtotal - discount
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
            promo_code=promo_code,
            discount=discount,
            status=OrderStatus.PAID if total.amount == 0 else OrderStatus.AWAITING_PAYMENT,
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
                subtotal=subtotal,
                promo_code=promo_code,
                discount=discount,
                total=total,
                shipping_address=shipping_address,
                billing_address=billing_address,
                payment_due_at=payment_due_at,
            )
        )
        return order

    @property
    def subtotal(self) -> Money:
        """The lines at the prices they sold at, before the code's discount."""
        return self.total + self.discount

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
        self._require(SHIPPABLE, "ship")
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
        self._require(DELIVERABLE, "mark as delivered")
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


def _sum(amounts: Iterable[Money]) -> Money:
    first, *rest = amounts
    for amount in rest:
        first += amount
    return first
