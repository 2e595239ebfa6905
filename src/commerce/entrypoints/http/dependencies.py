"""How controllers declare what the app injects (see `_dependencies` in app.py)."""

from typing import TypeAlias, TypeVar

from litestar.di import NamedDependency
from litestar.params import SkipValidation

T = TypeVar("T")

# Ports are Protocols: Litestar cannot (and need not) validate the injected adapters.
Injected: TypeAlias = NamedDependency[SkipValidation[T]]
