"""The in-memory shop most handler tests run on: a store, a fixed clock, units of work."""

from collections.abc import Callable

import pytest

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.ports.unit_of_work import UnitOfWork


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def new_uow(store: InMemoryStore, clock: FixedClock) -> Callable[[], UnitOfWork]:
    return lambda: InMemoryUnitOfWork(store, clock)
