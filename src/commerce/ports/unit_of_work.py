"""The unit of work and the repositories it hands out.

A handler opens a unit of work, loads aggregates through its repositories, calls domain
methods, and commits. `commit()` saves every changed aggregate with an optimistic version check
and writes its events to the outbox in the same transaction; leaving the block without
`commit()` rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from commerce.domain.account import Account
from commerce.domain.catalog import Product
from commerce.domain.inventory import StockItem


class ProductRepository(Protocol):
    def add(self, product: Product) -> None: ...

    async def get(self, product_id: UUID) -> Product:
        """Raise `NotFoundError` when there is no such product."""
        ...


class StockRepository(Protocol):
    def add(self, item: StockItem) -> None: ...

    async def get(self, sku: str) -> StockItem:
        """Raise `NotFoundError` when no variant has this SKU."""
        ...


class AccountRepository(Protocol):
    def add(self, account: Account) -> None:
        """A new account; saving it raises `DuplicateEmailError` if its email is taken."""
        ...

    async def get(self, account_id: UUID) -> Account:
        """Raise `NotFoundError` when there is no such account."""
        ...

    async def get_by_email(self, email: str) -> Account:
        """Match `email` case-insensitively; raise `NotFoundError` when nobody has it."""
        ...


class UnitOfWork(Protocol):
    # Read-only members, so an adapter may declare its own repository types (a protocol's
    # plain attributes are invariant).
    @property
    def products(self) -> ProductRepository: ...

    @property
    def stock(self) -> StockRepository: ...

    @property
    def accounts(self) -> AccountRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> list[UUID]:
        """Save changes and their events atomically; return the ids of the events written."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
