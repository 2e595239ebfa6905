"""In-memory twins of the unit of work and its repositories, for tests without servers.

They keep the same promises as PostgreSQL: loads are copies (changes are invisible until
commit), saves check the version, SKUs are unique, and commit appends the events to an outbox
list atomically with the state.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from uuid import UUID

from commerce.adapters.envelopes import envelopes_for
from commerce.domain.account import Account, DuplicateEmailError, canonical_email
from commerce.domain.aggregate import Aggregate
from commerce.domain.catalog import DuplicateSkuError, Product
from commerce.domain.errors import ConcurrencyError, NotFoundError
from commerce.domain.events import EventEnvelope
from commerce.domain.inventory import StockItem
from commerce.ports.clock import Clock

A = TypeVar("A", bound=Aggregate)


@dataclass
class InMemoryStore:
    """The "database": committed aggregates by key, and the outbox."""

    products: dict[UUID, Product] = field(default_factory=dict)
    stock: dict[str, StockItem] = field(default_factory=dict)
    accounts: dict[UUID, Account] = field(default_factory=dict)
    outbox: list[EventEnvelope] = field(default_factory=list)


class _Repository(Generic[A]):
    def __init__(self, committed: dict[Any, A]) -> None:
        self._committed = committed
        self.seen: list[A] = []

    def add(self, aggregate: A) -> None:
        self.seen.append(aggregate)

    def _load(self, key: Any, missing: str) -> A:
        try:
            aggregate = copy.deepcopy(self._committed[key])
        except KeyError:
            raise NotFoundError(missing) from None
        self.seen.append(aggregate)
        return aggregate

    def stage(self, key: Any, aggregate: A, expected_version: int, staged: dict[Any, A]) -> None:
        current = staged.get(key, self._committed.get(key))
        current_version = current.version if current is not None else 0
        if current_version != expected_version:
            raise ConcurrencyError(f"{aggregate.aggregate_type} {key} was changed by someone else")
        staged[key] = copy.deepcopy(aggregate)


class InMemoryProductRepository(_Repository[Product]):
    async def get(self, product_id: UUID) -> Product:
        return self._load(product_id, f"no product {product_id}")


class InMemoryStockRepository(_Repository[StockItem]):
    async def get(self, sku: str) -> StockItem:
        return self._load(sku, f"no SKU {sku}")


class InMemoryAccountRepository(_Repository[Account]):
    async def get(self, account_id: UUID) -> Account:
        return self._load(account_id, f"no account {account_id}")

    async def get_by_email(self, email: str) -> Account:
        wanted = canonical_email(email)
        found = next((a.id for a in self._committed.values() if a.email == wanted), None)
        return self._load(found, "no such account")


class InMemoryUnitOfWork:
    products: InMemoryProductRepository
    stock: InMemoryStockRepository
    accounts: InMemoryAccountRepository

    def __init__(self, store: InMemoryStore, clock: Clock) -> None:
        self.store = store
        self._clock = clock

    async def __aenter__(self) -> Self:
        self.products = InMemoryProductRepository(self.store.products)
        self.stock = InMemoryStockRepository(self.store.stock)
        self.accounts = InMemoryAccountRepository(self.store.accounts)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None  # nothing was written unless commit() ran to the end

    async def commit(self) -> list[UUID]:
        now = self._clock.now()
        products: dict[UUID, Product] = {}
        stock: dict[str, StockItem] = {}
        envelopes: list[EventEnvelope] = []
        for product in _changed(self.products.seen):
            expected = product.persisted_version
            envelopes += envelopes_for(product, now)
            self.products.stage(product.id, product, expected, products)
        for item in _changed(self.stock.seen):
            expected = item.persisted_version
            envelopes += envelopes_for(item, now)
            self.stock.stage(item.sku, item, expected, stock)
        accounts: dict[UUID, Account] = {}
        for account in _changed(self.accounts.seen):
            expected = account.persisted_version
            envelopes += envelopes_for(account, now)
            self.accounts.stage(account.id, account, expected, accounts)
        self._check_unique_skus(products)
        self._check_unique_emails(accounts)
        self.store.products.update(products)
        self.store.stock.update(stock)
        self.store.accounts.update(accounts)
        self.store.outbox.extend(envelopes)
        return [envelope.event_id for envelope in envelopes]

    def _check_unique_skus(self, staged: dict[UUID, Product]) -> None:
        owners = {
            v.sku: p.id
            for p in self.store.products.values()
            if p.id not in staged
            for v in p.variants
        }
        for product in staged.values():
            for variant in product.variants:
                if owners.setdefault(variant.sku, product.id) != product.id:
                    raise DuplicateSkuError(f"SKU already used by another product: {variant.sku}")

    def _check_unique_emails(self, staged: dict[UUID, Account]) -> None:
        owners = {a.email: a.id for a in self.store.accounts.values() if a.id not in staged}
        for account in staged.values():
            if owners.setdefault(account.email, account.id) != account.id:
                raise DuplicateEmailError("an account with this email exists")


def _changed(aggregates: list[A]) -> list[A]:
    return [a for a in {id(a): a for a in aggregates}.values() if a.has_changes]
