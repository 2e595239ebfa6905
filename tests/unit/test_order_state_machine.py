"""Property-based: random sequences of everything that can happen to orders and one SKU's
stock, checked against the rules after every step (hypothesis stateful testing)."""

import uuid
from datetime import UTC, datetime, timedelta

import hypothesis.strategies as st
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from commerce.domain.errors import ConflictError, DomainValidationError
from commerce.domain.inventory import InsufficientStockError, StockItem
from commerce.domain.order import (
    CAPTURED,
    CancelReason,
    IllegalTransitionError,
    Order,
    OrderLine,
    OrderStatus,
    PaymentStatus,
)
from commerce.domain.values import Money
from tests.support import an_address

PRICE = 700
ALLOWED = {
    "pay": {OrderStatus.AWAITING_PAYMENT, OrderStatus.PARTIALLY_PAID},
    "cancel": {OrderStatus.AWAITING_PAYMENT, OrderStatus.PARTIALLY_PAID, OrderStatus.PAID},
    "ship": {OrderStatus.PAID},
    "deliver": {OrderStatus.SHIPPED},
}


class OrdersAndStock(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
        self.stock = StockItem(sku="SKU-1", product_id=uuid.uuid4())
        self.received = 0
        self.orders: list[Order] = []

    def tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    # Stock -----------------------------------------------------------------------------------

    @rule(quantity=st.integers(1, 20))
    def receive(self, quantity: int) -> None:
        self.stock.adjust(quantity, "received")
        self.received += quantity

    @rule(quantity=st.integers(1, 20))
    def write_off(self, quantity: int) -> None:
        before = self.stock.on_hand
        try:
            self.stock.adjust(-quantity, "damaged")
            self.received -= quantity
        except ConflictError:
            assert before - quantity < self.stock.reserved

    @rule(quantity=st.integers(1, 6))
    def place(self, quantity: int) -> None:
        available = self.stock.available
        try:
            self.stock.reserve(quantity, "order")
        except InsufficientStockError:
            assert quantity > available
            return
        line = OrderLine(
            sku="SKU-1",
            product_id=self.stock.product_id,
            name="Kettle",
            image=None,
            quantity=quantity,
            unit_price=Money(PRICE, "EUR"),
        )
        now = self.tick()
        self.orders.append(
            Order.place(
                order_id=uuid.uuid4(),
                number=f"C-{len(self.orders):06d}",
                customer_id=uuid.uuid4(),
                customer_email="a@example.com",
                lines=[line],
                shipping_address=an_address(),
                billing_address=an_address(),
                now=now,
                payment_due_at=now + timedelta(minutes=30),
            )
        )

    # Orders ----------------------------------------------------------------------------------

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), share=st.integers(1, 5), outcome=st.sampled_from(["ok", "no", "wait"]))
    def pay(self, data: st.DataObject, share: int, outcome: str) -> None:
        order = data.draw(st.sampled_from(self.orders))
        amount = Money(max(1, order.total.amount * share // 4), "EUR")
        status, due = order.status, order.balance_due
        try:
            payment = order.start_payment(uuid.uuid4(), amount, "tok", self.tick())
        except IllegalTransitionError:
            assert status not in ALLOWED["pay"]
            return
        except DomainValidationError:
            assert amount.amount > due
            return
        if outcome != "wait":
            self.settle(order, payment.id, succeeded=outcome == "ok")

    @precondition(lambda self: any(o.pending_payments() for o in self.orders))
    @rule(data=st.data(), succeeded=st.booleans())
    def settle_later(self, data: st.DataObject, succeeded: bool) -> None:
        order = data.draw(st.sampled_from([o for o in self.orders if o.pending_payments()]))
        payment = data.draw(st.sampled_from(order.pending_payments()))
        self.settle(order, payment.id, succeeded=succeeded)
        assert not order.settle_payment(  # a second answer changes nothing
            payment.id, succeeded=True, charge_id="ch", failure_reason=None, now=self.tick()
        )

    def settle(self, order: Order, payment_id: uuid.UUID, *, succeeded: bool) -> None:
        order.settle_payment(
            payment_id,
            succeeded=succeeded,
            charge_id="ch" if succeeded else None,
            failure_reason=None if succeeded else "card_declined",
            now=self.tick(),
        )
        if order.status == OrderStatus.CANCELLED:  # captured after the cancellation
            self.saga(order)

    def saga(self, order: Order) -> None:
        """The cancellation saga's steps, each run twice as a redelivery would."""
        for _ in range(2):
            if order.release_reservation(self.tick()):
                self.stock.release(order.lines[0].quantity, "cancelled")
            for payment in order.payments:
                if payment.refundable:
                    refund = order.start_refund(payment.id, uuid.uuid4(), None, self.tick())
                    order.complete_refund(payment.id, refund.id, self.tick())

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        status = order.status
        try:
            order.cancel(CancelReason.CUSTOMER, self.tick())
        except IllegalTransitionError:
            assert status not in ALLOWED["cancel"]
            return
        self.saga(order)

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        status = order.status
        try:
            order.ship("DHL", "JD0001", self.tick())
        except IllegalTransitionError:
            assert status not in ALLOWED["ship"]
            return
        self.stock.sell_reserved(order.lines[0].quantity, "shipped")

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def deliver(self, data: st.DataObject) -> None:
        order = data.draw(st.sampled_from(self.orders))
        status = order.status
        try:
            order.deliver(self.tick())
        except IllegalTransitionError:
            assert status not in ALLOWED["deliver"]

    # Invariants ------------------------------------------------------------------------------

    @invariant()
    def stock_adds_up(self) -> None:
        stock = self.stock
        assert 0 <= stock.reserved <= stock.on_hand
        assert stock.on_hand + stock.sold == self.received
        held = sum(
            o.lines[0].quantity
            for o in self.orders
            if o.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
            and not o.reservation_released
        )
        assert stock.reserved == held
        shipped = sum(
            o.lines[0].quantity
            for o in self.orders
            if o.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
        )
        assert stock.sold == shipped

    @invariant()
    def money_adds_up(self) -> None:
        for order in self.orders:
            captured = sum(p.amount.amount for p in order.payments if p.status in CAPTURED)
            assert order.paid.amount == captured <= order.total.amount
            for payment in order.payments:
                assert 0 <= payment.refunded.amount <= payment.captured
            if order.status == OrderStatus.AWAITING_PAYMENT:
                assert captured == 0
            if order.status == OrderStatus.PARTIALLY_PAID:
                assert 0 < captured < order.total.amount
            if order.status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
                assert captured == order.total.amount
            if order.status == OrderStatus.CANCELLED:
                assert all(p.refundable == 0 for p in order.payments)
                assert all(
                    p.status
                    in (PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.REFUNDED)
                    for p in order.payments
                )

    @invariant()
    def every_change_is_a_timeline_line(self) -> None:
        for order in self.orders:
            assert len(order.timeline) == order.version
            assert order.timeline[-1].status == order.status


TestOrdersAndStock = OrdersAndStock.TestCase
TestOrdersAndStock.settings = settings(max_examples=400, stateful_step_count=40, deadline=None)
