"""In-memory twin of `DependencyCheck`: up or down as a test sets it."""

from dataclasses import dataclass

from commerce.ports.health import DependencyUnavailableError


@dataclass
class InMemoryDependencyCheck:
    name: str
    up: bool = True

    async def check(self) -> None:
        if not self.up:
            raise DependencyUnavailableError(self.name, "down")
