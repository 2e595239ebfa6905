"""A circuit breaker: after `failure_threshold` failures in a row the server is not asked at all
for `cool_down` seconds; then one call, the probe, goes through while every other call is still
refused at once, and the probe's outcome closes the breaker or opens it for another cool-down.

Written here rather than taken from PyPI: purgatory and circuitbreaker let every call through
once the cool-down is over (a stalled server then holds all of them again) and read a clock a
test cannot set; pybreaker runs coroutines through Tornado under thread locks; aiobreaker has
had no release since 2021. One event loop owns a breaker: nothing here awaits, so no lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

State = Literal["closed", "open", "half-open"]

logger = logging.getLogger(__name__)


class CircuitOpenError(Exception):
    """Refused without asking the server. `retry_after`: seconds until the next probe may go,
    or None while a probe is out (it answers within the request timeout)."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("the circuit breaker is open")
        self.retry_after = retry_after


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        failure_threshold: int,
        cool_down: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._threshold = failure_threshold
        self._cool_down = cool_down
        self._clock = clock
        self._state: State = "closed"
        self._failures = 0  # in a row, while closed
        self._probe_at = 0.0  # while open: when the next call may be the probe

    @property
    def state(self) -> State:
        return self._state

    def admit(self) -> bool:
        """Let a call through, or raise `CircuitOpenError`. True when the call is the probe:
        only its outcome counts while half-open."""
        if self._state == "closed":
            return False
        if self._state == "open":
            wait = self._probe_at - self._clock()
            if wait > 0:
                raise CircuitOpenError(wait)
            self._state = "half-open"
            return True
        raise CircuitOpenError(None)

    def succeeded(self, probe: bool) -> None:
        """The server answered. A call let through before the breaker opened proves nothing
        about the server now: only the probe closes it."""
        if probe and self._state == "half-open":
            logger.info("%s: the probe was answered; circuit breaker closed", self.name)
            self._state = "closed"
        if self._state == "closed":
            self._failures = 0

    def failed(self, probe: bool) -> None:
        """The server did not answer in time, could not be reached, or answered that it cannot
        serve (5xx, 429)."""
        if probe and self._state == "half-open":
            self._open("the probe failed")
        elif self._state == "closed":
            self._failures += 1
            if self._failures >= self._threshold:
                self._open(f"{self._failures} failures in a row")

    def abandoned(self, probe: bool) -> None:
        """The call ended with neither (its caller went away): the probe's turn passes to the
        next call rather than leaving the breaker half-open for ever."""
        if probe and self._state == "half-open":
            self._state = "open"
            self._probe_at = self._clock()

    def _open(self, why: str) -> None:
        logger.warning(
            "%s: %s; circuit breaker open, next probe in %.1f s", self.name, why, self._cool_down
        )
        self._state = "open"
        self._failures = 0
        self._probe_at = self._clock() + self._cool_down
