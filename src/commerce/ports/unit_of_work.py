"""The unit of work and the repositories it hands out.

A handler opens a unit of work, loads aggregates through its repositories, calls domain
methods, and commits. `commit()` saves every changed aggregate with an optimistic version check
and writes its events to the outbox atomically; leaving the block without `commit()` writes
nothing. Loads lock nothing: a change that lost a race to another raises `ConcurrencyError`
(`AlreadyExistsError` for a new aggregate whose id was taken) and writes nothing, and the
handler runs again (`application.conflicts.retried_on_conflict`). A block may commit more than
once (a payment is recorded, then settled after the gateway answered).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from commerce.domain.account import Account
from commerce.domain.cart import Cart
from commerce.domain.catalog import Product
from commerce.domain.inventory import StockItem
from commerce.domain.order import Order
from commerce.domain.pricing import Offer, ProductRef, PromoCode, Sale
from commerce.domain.rating import ProductRating
from commerce.domain.review import Review


class ProductRepository(Protocol):
    def add(self, product: Product) -> None: ...

    async def get(self, product_id: UUID) -> Product:
        """Raise `NotFoundError` when there is no such product."""
        ...

    async def offers(self, skus: Iterable[str]) -> dict[str, Offer]:
        """Current price and availability of each known SKU; unknown SKUs are left out."""
        ...

    async def owners(self, skus: Iterable[str]) -> dict[str, Product]:
        """The product each known SKU belongs to, to read (not to change); unknown SKUs are
        left out."""
        ...


class StockRepository(Protocol):
    def add(self, item: StockItem) -> None: ...

    async def get(self, sku: str) -> StockItem:
        """Raise `NotFoundError` when no variant has this SKU."""
        ...

    async def get_many(self, skus: Iterable[str]) -> dict[str, StockItem]:
        """Several stock items, in SKU order; unknown SKUs are left out."""
        ...

    async def get_many_offered(
        self, skus: Iterable[str]
    ) -> tuple[dict[str, StockItem], dict[str, Offer]]:
        """`get_many` and `ProductRepository.offers` of the same SKUs, in one look-up (a SKU
        without stock is in neither)."""
        ...


class CartRepository(Protocol):
    async def get(self, customer_id: UUID) -> Cart:
        """The customer's cart; a new empty one if none."""
        ...


class OrderRepository(Protocol):
    def add(self, order: Order) -> None: ...

    async def get(self, order_id: UUID) -> Order:
        """Raise `NotFoundError` when there is no such order."""
        ...

    async def find(self, order_id: UUID) -> Order | None: ...

    async def get_by_payment(self, payment_id: UUID) -> Order:
        """The order holding the payment; raise `NotFoundError` when none does."""
        ...

    async def next_number(self) -> int:
        """A new order number, never handed out before."""
        ...

    async def due_for_expiry(self, now: datetime, limit: int) -> list[UUID]:
        """Orders still awaiting payment whose payment window ended by `now`."""
        ...

    async def unsettled_before(self, before: datetime, limit: int) -> list[UUID]:
        """Orders with a payment or refund waiting for the gateway since before `before`."""
        ...

    async def delivered_to(self, customer_id: UUID, product_id: UUID) -> bool:
        """Whether the customer has a delivered order with a line of the product."""
        ...


class PromoCodeRepository(Protocol):
    def add(self, promo: PromoCode) -> None:
        """A new code; saving it raises `AlreadyExistsError` if the code is taken."""
        ...

    async def get(self, code: str) -> PromoCode:
        """`code` as stored (`normalize_code`); raise `NotFoundError` when there is none."""
        ...

    async def find_for(self, code: str, customer_id: UUID | None) -> tuple[PromoCode, int] | None:
        """The code with how often `customer_id` has redeemed it (returned redemptions not
        counted; 0 for nobody), read together: a checkout that redeems it commits against
        the version that count was read with. None when there is no such code."""
        ...


class ReviewRepository(Protocol):
    def add(self, review: Review) -> None:
        """A new review; saving it raises `AlreadyExistsError` if the customer has reviewed
        the product meanwhile (or the id is taken)."""
        ...

    async def get(self, review_id: UUID) -> Review:
        """Raise `NotFoundError` when there is no such review."""
        ...

    async def find_by_author(self, product_id: UUID, customer_id: UUID) -> Review | None:
        """The customer's review of the product, if any."""
        ...


class ProductRatingRepository(Protocol):
    async def get(self, product_id: UUID) -> ProductRating:
        """The product's rating; a new one (nothing counted, version 0) if none was saved."""
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


class SaleRepository(Protocol):
    def add(self, sale: Sale) -> None: ...

    async def get(self, sale_id: UUID) -> Sale:
        """A sale, deleted ones too; raise `NotFoundError` when there is no such sale."""
        ...

    async def due(self, now: datetime, limit: int) -> list[UUID]:
        """Sales with a start or an end for the scheduler to record by `now`
        (`Sale.next_due_at`), the longest due first."""
        ...

    async def in_force(self, at: datetime, products: Collection[ProductRef]) -> list[Sale]:
        """The sales in force at `at` that pick any of `products`, by id order, to price them
        with (`domain.pricing.price`), not to change: their `product_ids` name only the
        products asked about (a sale may name 10 000)."""
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

    @property
    def carts(self) -> CartRepository: ...

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def promo_codes(self) -> PromoCodeRepository: ...

    @property
    def sales(self) -> SaleRepository: ...

    @property
    def reviews(self) -> ReviewRepository: ...

    @property
    def product_ratings(self) -> ProductRatingRepository: ...

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
