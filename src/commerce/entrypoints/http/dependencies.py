"""What the app injects into handlers: each provider of the container, under the provider's
name (`uow`, `clock`, `order_views`, ...), so the container stays the one place that picks
adapters and a new provider needs no second declaration here."""

from typing import Any, TypeAlias, TypeVar

from dependency_injector import containers, providers
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

T = TypeVar("T")

# Ports are Protocols: Litestar cannot (and need not) validate the injected adapters.
Injected: TypeAlias = NamedDependency[SkipValidation[T]]


def container_dependencies(container: containers.Container) -> dict[str, Provide]:
    return {name: _provide(provider) for name, provider in container.providers.items()}


def _provide(provider: providers.Provider[Any]) -> Provide:
    # Asked on every request, so that a provider overridden later (tests) is what handlers get.
    def dependency() -> Any:
        return provider()

    return Provide(dependency, sync_to_thread=False)
