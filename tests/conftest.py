"""Fixtures shared by every layer of tests.

Tests that use the server fixtures talk to the real PostgreSQL, Redis and Elasticsearch of the
stack (`make test` runs pytest inside `commerce stack run`). Each session gets a database of its
own (created, migrated, dropped), so tests never touch the data of `make run`.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import asyncpg
import pytest
from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.elasticsearch.client import create_client
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.adapters.redis.client import create_redis
from commerce.settings import Settings, load_settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"integration", "e2e"} & set(item.path.parts):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack_settings() -> Settings:
    """Settings from the environment: `make test` runs pytest inside `commerce stack run`,
    which points the COMMERCE_* URLs at the real servers."""
    return load_settings()


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


@pytest.fixture(scope="session")
def database_url(stack_settings: Settings) -> Iterator[str]:
    name = f"commerce_test_{uuid.uuid4().hex[:12]}"
    try:
        _off_loop(lambda: asyncio.run(_admin(stack_settings, f'CREATE DATABASE "{name}"')))
    except (OSError, asyncpg.PostgresError) as error:
        pytest.fail(
            f"PostgreSQL at {stack_settings.database_url} is not reachable ({error}); "
            "run the tests with `make test`, or start the stack with `make stack-up`"
        )
    url = make_url(stack_settings.database_url).set(database=name)
    url_text = url.render_as_string(hide_password=False)
    _off_loop(lambda: upgrade_to_head(url_text))
    yield url_text
    _off_loop(lambda: asyncio.run(_admin(stack_settings, f'DROP DATABASE "{name}" WITH (FORCE)')))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def elasticsearch(stack_settings: Settings) -> AsyncIterator[AsyncElasticsearch]:
    client = create_client(stack_settings.elasticsearch_url)
    yield client
    await client.close()


@pytest.fixture
async def redis(stack_settings: Settings) -> AsyncIterator[Redis]:
    client = create_redis(stack_settings.redis_url)
    yield client
    await client.aclose()
