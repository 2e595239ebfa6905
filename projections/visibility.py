"""Read-your-writes without a refresh per batch.

A batch the worker wrote is searchable only once the index is refreshed, and its events may be
recorded as projected (what a `Consistency-Token` waits for) only then. A refresh after every
batch makes a tiny segment each time and throws away the request cache and the global ordinals
that searches and facets rely on, so under a write load every search pays (docs/adr/0005).

Here the batches written since the last refresh wait together: one thread per read model
refreshes when some are waiting, at most once per `interval` (less often while refreshes are
slow: they take at most a fifth of the time), and then records all of them as projected. The
worker's thread does not wait for it. A process that dies in between loses only the records (a
query holding such a token answers after its bounded wait, saying `Consistency: stale`); the
documents are written, and the scheduled refresh of the index shows them anyway.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable, Sequence
from uuid import UUID

logger = logging.getLogger(__name__)

# Events waiting beyond this many (a refresh or Redis failing for long) are dropped oldest
# first: their tokens then answer `Consistency: stale` after the wait, nothing worse.
MAX_WAITING = 200_000
MAX_RETRY_PAUSE = 5.0
# A refresh may take at most this share of the time: while the node is busy (a bulk import,
# a rebuild) refreshes take longer, so they come further apart, and the merging of the tiny
# segments they make does not take the indexing's CPU.
REFRESH_SHARE = 0.2


class RefreshThenMark:
    """Collects written batches' event ids; refreshes, then marks them, from its own thread."""

    def __init__(
        self,
        refresh: Callable[[], object],
        mark: Callable[[Sequence[UUID]], None],
        interval: float,
        *,
        name: str = "read model",
    ) -> None:
        self._refresh = refresh
        self._mark = mark
        self._interval = interval
        self._name = name
        self._waiting: list[UUID] = []
        self._refreshing = False
        self._closing = False
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._last_refresh = float("-inf")
        self._gap = interval  # from one refresh's start to the next one's

    def submit(self, event_ids: Sequence[UUID], *, wrote: bool = True) -> None:
        """Record a batch's events as projected after the next refresh; returns at once. A
        batch that wrote nothing is recorded now, unless batches wait for a refresh (it may
        hold their events again)."""
        with self._condition:
            if wrote or self._waiting or self._refreshing:
                self._waiting.extend(event_ids)
                del self._waiting[:-MAX_WAITING]
                self._start()
                self._condition.notify()
                return
        self._mark(event_ids)

    def close(self, timeout: float = 5.0) -> None:
        """Refresh and record what waits, at once, and stop the thread: called at exit, so a
        worker that stops leaves no token waiting in vain."""
        with self._condition:
            self._closing = True
            self._condition.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"refresh-{self._name}", daemon=True
            )
            self._thread.start()
            atexit.register(self.close)

    def _run(self) -> None:
        pause = self._interval
        while True:
            with self._condition:
                while not self._waiting and not self._closing:
                    self._condition.wait()
                closing, waiting = self._closing, bool(self._waiting)
            if not waiting:
                return
            if not closing:
                time.sleep(max(0.0, self._last_refresh + self._gap - time.monotonic()))
            try:
                self._refresh_and_mark()
                pause = self._interval
            except Exception:  # the next round tries again; the worker goes on
                logger.warning("%s: refresh or progress record failed", self._name, exc_info=True)
                if closing:
                    return
                time.sleep(pause)
                pause = min(2 * pause, MAX_RETRY_PAUSE)

    def _refresh_and_mark(self) -> None:
        with self._condition:
            taken, self._waiting = self._waiting, []
            self._refreshing = True
        try:
            self._last_refresh = time.monotonic()
            self._refresh()
            took = time.monotonic() - self._last_refresh
            self._gap = max(self._interval, took / REFRESH_SHARE)
            self._mark(taken)
        except Exception:
            with self._condition:
                self._waiting[:0] = taken
                del self._waiting[:-MAX_WAITING]
            raise
        finally:
            with self._condition:
                self._refreshing = False
