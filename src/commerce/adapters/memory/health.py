"""In-memory twins of `DependencyCheck` (up or down as a test sets it) and
`PipelineLiveness`."""

from dataclasses import dataclass

from commerce.ports.health import DependencyUnavailableError


@dataclass
class InMemoryDependencyCheck:
    name: str
    up: bool = True

    async def check(self) -> None:
        if not self.up:
            raise DependencyUnavailableError(self.name, "down")


@dataclass
class InMemoryPipelineLiveness:
    """Processes alive per role, as a test sets them."""

    relay: int = 1
    worker: int = 1

    async def alive(self) -> dict[str, int]:
        return {"relay": self.relay, "worker": self.worker}
