"""A Dramatiq middleware with which each worker process beats its heartbeat
(adapters/redis/heartbeats.py) from boot to shutdown."""

from __future__ import annotations

import threading
from typing import Any

from dramatiq import Middleware

from commerce.adapters.redis.client import create_sync_redis
from commerce.adapters.redis.heartbeats import beat_in_background


class Heartbeat(Middleware):
    def __init__(self, redis_url: str) -> None:
        self._redis_url = redis_url
        self._stop = threading.Event()

    def after_worker_boot(self, broker: Any, worker: Any) -> None:
        beat_in_background(create_sync_redis(self._redis_url), "worker", self._stop)

    def before_worker_shutdown(self, broker: Any, worker: Any) -> None:
        self._stop.set()
