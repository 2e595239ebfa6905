"""Fixtures shared by every layer of tests.

Tests that use the server fixtures talk to the real PostgreSQL, Redis and Elasticsearch of the
stack (`make test` runs pytest inside `python -m devstack run`). Each session gets a database of its
own (created, migrated, dropped), so tests never touch the data of `make run`.
"""

from collections.abc import AsyncIterator, Iterator

import pytest
from elasticsearch import AsyncElasticsearch
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.elasticsearch.client import create_client
from commerce.adapters.postgres.engine import create_engine
from commerce.adapters.redis.client import create_redis
from commerce.settings import Settings, load_settings
from tests.databases import fresh_database
from tests.support import ELASTICSEARCH_TIMEOUT


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"integration", "e2e"} & set(item.path.parts):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def stack_settings() -> Settings:
    """Settings from the environment: `make test` runs pytest inside `python -m devstack run`,
    which points the COMMERCE_* URLs at the real servers."""
    return load_settings()


@pytest.fixture(scope="session")
def database_url(stack_settings: Settings) -> Iterator[str]:
    """The session's database for tests that drive the adapters in-process. Tests that start
    their own relay or worker processes take a database of their own (see tests/e2e)."""
    with fresh_database(stack_settings) as url:
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def elasticsearch(stack_settings: Settings) -> AsyncIterator[AsyncElasticsearch]:
    client = create_client(stack_settings.elasticsearch_url, ELASTICSEARCH_TIMEOUT)
    yield client
    await client.close()


@pytest.fixture
async def redis(stack_settings: Settings) -> AsyncIterator[Redis]:
    client = create_redis(stack_settings.redis_url)
    yield client
    await client.aclose()
