"""A command that lost a race runs again.

Loads lock nothing (the unit of work checks versions when it commits), so two commands that
change the same aggregate at once both read it, and the second to commit finds its version
moved on: `ConcurrencyError`, nothing written. Run again, it reads the winner's state and
decides anew (a checkout then sees the stock the other took). A few attempts, each after a
short random pause so that the losers do not meet again at once; past them, the 409 stands.
"""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from commerce.domain.errors import ConcurrencyError

P = ParamSpec("P")
R = TypeVar("R")

ATTEMPTS = 10
PAUSE = 0.002  # seconds; doubled after each lost race, and a random share of it is waited


def retried_on_conflict(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(ATTEMPTS - 1):
            try:
                return await handler(*args, **kwargs)
            except ConcurrencyError:
                await asyncio.sleep(random.uniform(0, PAUSE * 2**attempt))  # noqa: S311
        return await handler(*args, **kwargs)

    return run
