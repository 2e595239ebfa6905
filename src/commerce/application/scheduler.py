"""Timed work, one pass at a time: start and end sales, expire unpaid orders, reconcile
payments and refunds left pending, forget idempotency keys past their retention. Several
schedulers may run: every step locks the rows it changes, and each is idempotent."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from commerce.application.orders import expire_unpaid_orders
from commerce.application.payments import reconcile_payments
from commerce.application.sales import start_and_end_due_sales
from commerce.ports.clock import Clock
from commerce.ports.idempotency import IdempotencyStore
from commerce.ports.payment_gateway import PaymentGateway
from commerce.ports.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

# API.md: keys are kept at least 24 h.
IDEMPOTENCY_RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class PassResult:
    sales: int
    expired: int
    reconciled: int
    keys_purged: int


async def run_scheduled_pass(
    uow: UnitOfWork,
    gateway: PaymentGateway,
    idempotency: IdempotencyStore,
    clock: Clock,
    reconcile_after: timedelta,
) -> PassResult:
    result = PassResult(
        # First: a payment gateway that fails the reconciliation must not hold sales back.
        sales=await start_and_end_due_sales(uow, clock),
        expired=await expire_unpaid_orders(uow, clock),
        reconciled=await reconcile_payments(uow, gateway, clock, reconcile_after),
        keys_purged=await idempotency.purge(clock.now() - IDEMPOTENCY_RETENTION),
    )
    if result.sales or result.expired or result.reconciled:
        logger.info(
            "started or ended %d sales, expired %d unpaid orders, settled %d payments/refunds",
            result.sales,
            result.expired,
            result.reconciled,
        )
    return result
