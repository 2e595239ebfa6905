"""Databases of their own for test sessions and for the processes tests start."""

import asyncio
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.settings import Settings


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(settings: Settings, sql: str) -> None:
    connection = await asyncpg.connect(_dsn(settings.database_url), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _off_loop(action: Callable[[], object]) -> None:
    """Run set-up that drives its own event loop, even when an async fixture asked for it."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(action).result()


@contextmanager
def fresh_database(settings: Settings) -> Iterator[str]:
    """A migrated database of its own, dropped afterwards."""
    name = f"commerce_test_{uuid.uuid4().hex[:12]}"
    try:
        _off_loop(lambda: asyncio.run(_admin(settings, f'CREATE DATABASE "{name}"')))
    except (OSError, asyncpg.PostgresError) as error:
        pytest.fail(
            f"PostgreSQL at {settings.database_url} is not reachable ({error}); "
            "run the tests with `make test`, or start the stack with `make stack-up`"
        )
    url_text = (
        make_url(settings.database_url).set(database=name).render_as_string(hide_password=False)
    )
    try:
        _off_loop(lambda: upgrade_to_head(url_text))
        yield url_text
    finally:
        _off_loop(lambda: asyncio.run(_admin(settings, f'DROP DATABASE "{name}" WITH (FORCE)')))
