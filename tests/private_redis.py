"""A Redis server of a test's own, from the stack's own recipe, that the test may kill,
wipe and start again without touching the Redis every other test shares."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack import system
from devstack.layout import Layout
from devstack.redis import RedisServer
from tests.support import free_port


class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        layout = Layout(folder, folder, Layout.from_environment().run_as)
        system.ensure_service_user(layout)
        system.make_owned_dir(layout, folder)
        self.server = RedisServer(layout, free_port())

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        self.server.start()

    def kill(self, *, lose_data: bool = False) -> None:
        """SIGKILL, as a crash or an OOM kill would; `lose_data` also removes what it had
        written to disk, as a replaced machine or a Redis without persistence would."""
        pid = self.server.pid()
        assert pid is not None, "the private Redis is not running"
        os.killpg(pid, signal.SIGKILL)
        while system.process_alive(pid, self.server.process_marker):
            time.sleep(0.05)
        if lose_data:
            shutil.rmtree(self.server.directory / "data")

    def stop(self) -> None:
        self.server.stop()


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    # Not pytest's tmp_path: its parent is closed to the unprivileged user Redis runs as.
    folder = Path(tempfile.mkdtemp(prefix="commerce-test-redis-"))
    redis = PrivateRedis(folder)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
        shutil.rmtree(folder, ignore_errors=True)
