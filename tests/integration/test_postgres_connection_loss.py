"""PostgreSQL going away under pooled connections (a restart): the command that meets a dead
connection is a 503 (`DependencyUnavailableError`), and the commands after it work, because the
pool drops every connection opened before the failure instead of handing out the dead ones
one after another."""

import asyncio
import logging

import pytest
from sqlalchemy.engine import make_url

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.ports.health import DependencyUnavailableError
from tests.proxy import CuttableProxy
from tests.shop import stock_of, stocked_product, unique_sku


async def test_after_a_restart_one_command_fails_with_503_and_the_ones_after_it_work(
    database_url: str,
) -> None:
    url = make_url(database_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    engine = create_engine(proxied, pool_size=3)
    new_uow = lambda: PostgresUnitOfWork(engine, FixedClock())  # noqa: E731
    try:
        sku = unique_sku("LOSS")
        await stocked_product(new_uow, {sku: 5})
        await asyncio.gather(*(stock_of(new_uow, sku) for _ in range(3)))  # 3 pooled

        proxy.cut()  # every pooled connection is reset, as by a restart ...
        proxy.start()  # ... and the server accepts new ones at once

        with pytest.raises(DependencyUnavailableError):
            await stock_of(new_uow, sku)
        after = await asyncio.gather(*(stock_of(new_uow, sku) for _ in range(3)))
        assert [item.on_hand for item in after] == [5, 5, 5]
    finally:
        await engine.dispose()
        proxy.cut()


async def test_connections_beyond_the_pool_size_are_closed_cleanly_when_given_back(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(database_url, pool_size=1)  # and as many again in overflow
    new_uow = lambda: PostgresUnitOfWork(engine, FixedClock())  # noqa: E731
    try:
        sku = unique_sku("POOL")
        await stocked_product(new_uow, {sku: 5})
        with caplog.at_level(logging.ERROR, logger="sqlalchemy.pool"):
            items = await asyncio.gather(*(stock_of(new_uow, sku) for _ in range(2)))

        assert [item.on_hand for item in items] == [5, 5]
        assert caplog.records == []  # not "Exception closing connection"
        assert engine.pool.checkedout() == 0
    finally:
        await engine.dispose()
