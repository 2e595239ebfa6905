"""Command handlers are marked `@command`, so that whatever watches commands (a trace span
each, when tracing is on) is written once. The application imports no tracing library: the
entrypoint that turns tracing on says what to run around each (`watch_commands`)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

Watch = Callable[[str], AbstractContextManager[object]]


def _unwatched(name: str) -> AbstractContextManager[object]:
    return nullcontext()


_watch: Watch = _unwatched


def watch_commands(watch: Watch) -> None:
    """Run every command handler inside `watch(name)` from now on (process-wide)."""
    global _watch  # noqa: PLW0603 (set once, at start-up)
    _watch = watch


def command(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    name = handler.__name__

    @functools.wraps(handler)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with _watch(name):
            return await handler(*args, **kwargs)

    return run
