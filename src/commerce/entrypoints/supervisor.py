"""`commerce dev`'s supervision: the API in the foreground, its helpers (relay, worker,
scheduler) restarted when they die, so a crashed or killed worker does not leave the read
models frozen behind an API that still answers.

A child that dies is started again after a back-off that doubles from `FIRST_BACKOFF` to
`MAX_BACKOFF` while it keeps dying young, and starts over once it has run `STEADY_AFTER`
seconds: a crash loop costs little, a rare crash is repaired at once. Each restart is logged.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 8.0  # below the heartbeats' TTL: a supervised restart never reads as "dead"
STEADY_AFTER = 60.0
POLL_EVERY = 0.2


@dataclass
class Child:
    name: str
    command: Sequence[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restart_at: float | None = None
    backoff: float = FIRST_BACKOFF
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started = time.monotonic()
        self.restart_at = None

    def check(self, now: float) -> None:
        """Start it again when its back-off is over; schedule that when it has just died."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restarts += 1
                self.start()
            return
        code = self.process.poll() if self.process else None
        if code is None:
            return
        ran = now - self.started
        self.backoff = FIRST_BACKOFF if ran >= STEADY_AFTER else self.backoff
        logger.warning(
            "%s exited with code %s after %.1f s; restarting it in %.1f s",
            self.name,
            code,
            ran,
            self.backoff,
        )
        self.restart_at = now + self.backoff
        self.backoff = min(self.backoff * 2, MAX_BACKOFF)


def supervise(main: subprocess.Popen[bytes], children: Sequence[Child]) -> int:
    """Keep `children` running until `main` exits; return its exit code."""
    while (code := main.poll()) is None:
        now = time.monotonic()
        for child in children:
            child.check(now)
        time.sleep(POLL_EVERY)
    return code


def stop_all(processes: Sequence[subprocess.Popen[bytes] | None]) -> None:
    running = [p for p in processes if p is not None and p.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
