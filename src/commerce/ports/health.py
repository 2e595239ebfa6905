"""Readiness of the servers the service depends on."""

from typing import Protocol, runtime_checkable


class DependencyUnavailableError(Exception):
    """A server a request needs cannot serve now: it did not answer in time, or answered that
    it cannot (down, overloaded). Worth a retry shortly; HTTP answers it with a 503.

    `dependency` is the server's public name, as readiness reports it (`postgres`, `redis`,
    `elasticsearch`); `reason` is for the logs only; `retry_after`, when known, is how many
    seconds from now the server will be asked again (a circuit breaker's cool-down)."""

    def __init__(self, dependency: str, reason: str = "", retry_after: float | None = None) -> None:
        super().__init__(f"{dependency}: {reason}" if reason else dependency)
        self.dependency = dependency
        self.retry_after = retry_after


@runtime_checkable
class DependencyCheck(Protocol):
    """Checks that one dependency (PostgreSQL, Redis, Elasticsearch) can serve requests now."""

    @property
    def name(self) -> str: ...

    async def check(self) -> None:
        """Return when the dependency is usable; raise `DependencyUnavailableError` otherwise."""
        ...


class PipelineLiveness(Protocol):
    """Which of the pipeline's processes (relay, worker) are alive: those that sent a
    heartbeat lately (each process beats every few seconds; see the adapter for how long
    "lately" is)."""

    async def alive(self) -> dict[str, int]:
        """Processes alive per role (`relay`, `worker`), 0 for a role with none; raise
        `DependencyUnavailableError` when the heartbeats cannot be read."""
        ...
