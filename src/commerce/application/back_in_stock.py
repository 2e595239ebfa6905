"""A customer asks to be told when an out-of-stock variant is back (one email, once)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.domain.errors import ConflictError, NotFoundError
from commerce.ports.back_in_stock import BackInStockRequests
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork


class RequestBackInStock(msgspec.Struct, frozen=True, kw_only=True):
    product_id: UUID
    sku: str
    customer_id: UUID


class InStockError(ConflictError):
    code = "in_stock"


@command
async def request_back_in_stock(
    cmd: RequestBackInStock, uow: UnitOfWork, requests: BackInStockRequests, clock: Clock
) -> bool:
    """True when the request is new, False when the customer already waits for the variant.
    Read from the write side: the stock version it records is what a later stock event must
    be newer than to announce the variant's return."""
    async with uow:
        product = await uow.products.get(cmd.product_id)
        if product.archived or product.variant(cmd.sku).retired:
            raise NotFoundError(f"no variant {cmd.sku} on sale in product {cmd.product_id}")
        stock = await uow.stock.get(cmd.sku)
    if stock.available > 0:
        raise InStockError(f"{cmd.sku} is in stock: order it now")
    return await requests.add(
        cmd.sku, cmd.customer_id, stock_version=stock.version, now=clock.now()
    )
