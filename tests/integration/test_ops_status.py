"""`commerce ops status` on the real servers: all well is exit 0 with every figure; a server
that stalls or goes away is named, and the command still answers within seconds, exit 1."""

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from httpx import URL
from redis import Redis

from commerce.adapters.redis.heartbeats import beat
from commerce.entrypoints.cli import main
from commerce.entrypoints.read_models import ensure_read_models
from commerce.settings import Settings
from tests.databases import fresh_database
from tests.proxy import proxy_to

REDIS_DB = 11


@pytest.fixture
def env(stack_settings: Settings) -> Iterator[dict[str, str]]:
    """A migrated database, read models of their own, and a Redis database of their own (not
    the session's database: its outbox holds what other tests wrote, unpublished)."""
    with fresh_database(stack_settings) as database_url:
        yield from _env(stack_settings, database_url)


def _env(stack_settings: Settings, database_url: str) -> Iterator[dict[str, str]]:
    prefix = f"test-ops-{uuid.uuid4().hex[:8]}"
    redis_url = str(URL(stack_settings.redis_url).copy_with(path=f"/{REDIS_DB}"))
    settings = {
        "COMMERCE_DATABASE_URL": database_url,
        "COMMERCE_REDIS_URL": redis_url,
        "COMMERCE_ELASTICSEARCH_URL": stack_settings.elasticsearch_url,
        "COMMERCE_INDEX_PREFIX": prefix,
    }
    ensure_read_models(
        Settings(
            elasticsearch_url=stack_settings.elasticsearch_url,
            index_prefix=prefix,
        )
    )
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    yield settings
    redis.flushdb()
    redis.close()


def alive(env: dict[str, str]) -> None:
    """A relay and a worker, as far as their heartbeats tell."""
    redis = Redis.from_url(env["COMMERCE_REDIS_URL"])
    beat(redis, "relay")
    beat(redis, "worker")
    redis.close()


def status(env: dict[str, str]) -> tuple[int, dict[str, Any], float]:
    start = time.monotonic()
    result = CliRunner().invoke(main, ["ops", "status", "--json"], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.output), time.monotonic() - start


def test_a_healthy_stack_is_exit_0_with_servers_processes_backlog_and_indices(
    env: dict[str, str],
) -> None:
    alive(env)

    code, report, _ = status(env)

    assert report["problems"] == []
    assert code == 0
    assert report["servers"] == {"postgres": "up", "redis": "up", "elasticsearch": "up"}
    assert report["processes"] == {"relay": 1, "worker": 1}
    assert report["outbox"]["oldest_age"] >= 0
    prefix = env["COMMERCE_INDEX_PREFIX"]
    for model in report["read_models"]:
        assert model["index"].startswith(f"{prefix}-{model['name']}")
        assert (model["queued_batches"], model["dead_letters"]) == (0, 0)


def test_no_worker_alive_is_a_problem_even_with_every_server_up(env: dict[str, str]) -> None:
    code, report, _ = status(env)

    assert code == 1
    assert "no worker alive" in report["problems"]


def test_a_stalled_redis_is_named_and_the_command_still_answers_in_seconds(
    env: dict[str, str],
) -> None:
    alive(env)
    with proxy_to(env["COMMERCE_REDIS_URL"]) as proxy:
        proxy.stall()
        code, report, took = status(env | {"COMMERCE_REDIS_URL": proxy.url("redis", "/11")})

    assert code == 1
    assert "redis is down" in report["problems"]
    assert report["read_models"][0]["dead_letters"] is None  # unknown, not 0
    assert took < 10


def test_an_elasticsearch_gone_away_is_named_with_its_indices_unknown(
    env: dict[str, str],
) -> None:
    alive(env)
    with proxy_to(env["COMMERCE_ELASTICSEARCH_URL"]) as proxy:
        proxy.cut()
        code, report, _ = status(env | {"COMMERCE_ELASTICSEARCH_URL": proxy.url("http")})

    assert code == 1
    assert "elasticsearch is down" in report["problems"]
    assert all(model["index"] is None for model in report["read_models"])
