"""Promo codes at checkout under concurrency, against the real PostgreSQL: a code's last
redemption goes to exactly one order, and a cancelled order gives it back."""

import asyncio
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.tables import promo_code_redemptions
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.application.checkout import OrderChanged
from commerce.application.order_saga import release_reservation
from commerce.application.orders import CancelOrder, cancel_order
from commerce.domain.account import Account
from commerce.domain.order import CancelReason
from commerce.domain.pricing import PromoCodeRejectedError, RejectionReason
from tests.pricing import a_code, percent
from tests.shop import NewUnitOfWork, check_out, customer_with_cart, stocked_product, unique_sku


async def shopper_with_code(
    new_uow: NewUnitOfWork, sku: str, product_id: uuid.UUID, code: str
) -> Account:
    shopper = await customer_with_cart(new_uow, {sku: 1}, product_id)
    async with new_uow() as uow:
        (await uow.carts.get(shopper.id)).apply_code(code)
        await uow.commit()
    return shopper


async def test_five_shoppers_racing_for_a_single_use_code_make_one_discounted_order(
    database_url: str,
) -> None:
    engine = create_engine(database_url, pool_size=10)
    clock = FixedClock()
    try:
        new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
        code = f"ONCE{uuid.uuid4().hex[:8].upper()}"
        async with new_uow() as uow:
            uow.promo_codes.add(a_code(percent(25), code=code, max_redemptions=1))
            await uow.commit()
        sku = unique_sku("CODE")
        product_id = await stocked_product(new_uow, {sku: 10}, price=4000)
        shoppers = [await shopper_with_code(new_uow, sku, product_id, code) for _ in range(5)]

        results = await asyncio.gather(
            *(check_out(new_uow, clock, shopper) for shopper in shoppers), return_exceptions=True
        )

        placed = [r.order for r in results if isinstance(r, OrderChanged)]
        refused = [r for r in results if isinstance(r, PromoCodeRejectedError)]
        assert (len(placed), len(refused)) == (1, 4), results
        assert {r.rejection.reason for r in refused} == {RejectionReason.EXHAUSTED}
        (winner,) = placed
        assert (winner.promo_code, winner.discount.amount, winner.total.amount) == (
            code,
            1000,
            3000,
        )
        async with new_uow() as uow:
            assert (await uow.promo_codes.get(code)).redeemed == 1
            assert (await uow.stock.get(sku)).reserved == 1  # the refused reserved nothing
        assert await redemption_rows(engine, code) == 1

        await cancel_order(
            CancelOrder(order_id=winner.id, reason=CancelReason.OPERATOR), new_uow(), clock
        )
        await release_reservation(winner.id, new_uow(), clock)

        async with new_uow() as uow:
            assert (await uow.promo_codes.get(code)).redeemed == 0
        assert await redemption_rows(engine, code) == 0
        again = await check_out(new_uow, clock, shoppers[1])  # the code is usable again
        assert again.order.discount.amount == 1000
    finally:
        await engine.dispose()


async def redemption_rows(engine: AsyncEngine, code: str) -> int:
    query = select(func.count()).where(promo_code_redemptions.c.code == code)
    async with engine.connect() as connection:
        return int((await connection.execute(query)).scalar_one())
