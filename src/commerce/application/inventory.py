"""Stock commands: set the counted quantity, or receive / write off a delta."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.domain.inventory import StockItem
from commerce.ports.unit_of_work import UnitOfWork


class SetStock(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    on_hand: int


class AdjustStock(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    delta: int
    reason: str


@dataclass(frozen=True)
class StockChanged:
    item: StockItem
    event_ids: list[UUID]


@command
@retried_on_conflict
async def set_stock(cmd: SetStock, uow: UnitOfWork) -> StockChanged:
    async with uow:
        item = await uow.stock.get(cmd.sku)
        item.set_counted(cmd.on_hand)
        event_ids = await uow.commit()
    return StockChanged(item, event_ids)


@command
@retried_on_conflict
async def adjust_stock(cmd: AdjustStock, uow: UnitOfWork) -> StockChanged:
    async with uow:
        item = await uow.stock.get(cmd.sku)
        item.adjust(cmd.delta, cmd.reason)
        event_ids = await uow.commit()
    return StockChanged(item, event_ids)
