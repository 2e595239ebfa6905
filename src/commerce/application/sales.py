"""Sales (catalogue discounts): staff create them, end them early or delete them; the
scheduler records their starts and ends when due (`start_and_end_due_sales`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.domain.pricing import Discount, Sale, SaleTargets
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork


class CreateSale(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    discount: Discount
    applies_to: SaleTargets
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class SaleChanged:
    sale: Sale
    event_ids: list[UUID]


@command
async def create_sale(cmd: CreateSale, uow: UnitOfWork, clock: Clock, currency: str) -> SaleChanged:
    sale = Sale.create(
        sale_id=uuid.uuid4(),
        name=cmd.name,
        discount=cmd.discount,
        applies_to=cmd.applies_to,
        starts_at=cmd.starts_at,
        ends_at=cmd.ends_at,
        currency=currency,
        now=clock.now(),
    )
    async with uow:
        uow.sales.add(sale)
        return SaleChanged(sale, await uow.commit())


@command
@retried_on_conflict
async def end_sale(sale_id: UUID, uow: UnitOfWork, clock: Clock) -> SaleChanged:
    """End a sale in force now; a sale that has ended already is left as it is."""
    async with uow:
        sale = await uow.sales.get(sale_id)
        sale.end_early(clock.now())
        return SaleChanged(sale, await uow.commit())


@command
@retried_on_conflict
async def delete_sale(sale_id: UUID, uow: UnitOfWork, clock: Clock) -> SaleChanged:
    """Withdraw a sale whatever its state; deleting it again changes nothing."""
    async with uow:
        sale = await uow.sales.get(sale_id)
        sale.delete(clock.now())
        return SaleChanged(sale, await uow.commit())


async def start_and_end_due_sales(uow: UnitOfWork, clock: Clock, limit: int = 100) -> int:
    """Record the starts and ends due by now (`Sale.catch_up`), `limit` sales a batch until
    none is left; how many sales changed. A start or end is recorded once, however many
    schedulers run or restart: a second one loses the version check, runs again and finds it
    recorded."""
    now = clock.now()
    changed = 0
    while True:
        async with uow:
            due = await uow.sales.due(now, limit)
        in_batch = 0
        for sale_id in due:
            in_batch += await _catch_up(sale_id, uow, now)
        changed += in_batch
        # A batch that changed nothing was recorded by another scheduler meanwhile.
        if len(due) < limit or not in_batch:
            return changed


@retried_on_conflict
async def _catch_up(sale_id: UUID, uow: UnitOfWork, now: datetime) -> bool:
    async with uow:
        sale = await uow.sales.get(sale_id)
        if not sale.catch_up(now):
            return False
        await uow.commit()
        return True
