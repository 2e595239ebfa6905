"""Readiness of the servers the service depends on."""

from typing import Protocol, runtime_checkable


class DependencyUnavailableError(Exception):
    """A dependency did not answer, or answered that it cannot serve."""


@runtime_checkable
class DependencyCheck(Protocol):
    """Checks that one dependency (PostgreSQL, Redis, Elasticsearch) can serve requests now."""

    @property
    def name(self) -> str: ...

    async def check(self) -> None:
        """Return when the dependency is usable; raise `DependencyUnavailableError` otherwise."""
        ...
