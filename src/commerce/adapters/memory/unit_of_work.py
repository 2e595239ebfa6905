"""In-memory twins of the unit of work and its repositories, for tests without servers.

They keep the same promises as PostgreSQL: loads are copies (changes are invisible until
commit), saves check the version, SKUs are unique, and commit appends the events to an outbox
list atomically with the state.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from uuid import UUID

import msgspec

from commerce.adapters.envelopes import Sightings, envelopes_for, in_sighting_order
from commerce.domain.account import Account, DuplicateEmailError, canonical_email
from commerce.domain.aggregate import Aggregate
from commerce.domain.cart import Cart
from commerce.domain.catalog import DuplicateSkuError, Product
from commerce.domain.errors import AlreadyExistsError, ConcurrencyError, NotFoundError
from commerce.domain.events import EventEnvelope
from commerce.domain.inventory import StockItem
from commerce.domain.order import AWAITING_PAYMENT, Order, OrderStatus
from commerce.domain.pricing import (
    Offer,
    ProductRef,
    PromoCode,
    PromoCodeRedeemed,
    PromoCodeRedemptionReturned,
    Sale,
    SaleTargets,
)
from commerce.domain.rating import ProductRating
from commerce.domain.review import Review
from commerce.ports.clock import Clock

A = TypeVar("A", bound=Aggregate)


@dataclass
class InMemoryStore:
    """The "database": committed aggregates by key, and the outbox."""

    products: dict[UUID, Product] = field(default_factory=dict)
    stock: dict[str, StockItem] = field(default_factory=dict)
    accounts: dict[UUID, Account] = field(default_factory=dict)
    carts: dict[UUID, Cart] = field(default_factory=dict)
    orders: dict[UUID, Order] = field(default_factory=dict)
    promo_codes: dict[str, PromoCode] = field(default_factory=dict)
    sales: dict[UUID, Sale] = field(default_factory=dict)
    reviews: dict[UUID, Review] = field(default_factory=dict)
    product_ratings: dict[UUID, ProductRating] = field(default_factory=dict)
    order_numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    outbox: list[EventEnvelope] = field(default_factory=list)


class _Repository(Generic[A]):
    def __init__(self, committed: dict[Any, A]) -> None:
        self._committed = committed
        self.seen: list[A] = []
        self.sightings = Sightings()

    def add(self, aggregate: A) -> None:
        self.seen.append(aggregate)
        self.sightings.note(aggregate)

    def _load(self, key: Any, missing: str) -> A:
        try:
            aggregate = copy.deepcopy(self._committed[key])
        except KeyError:
            raise NotFoundError(missing) from None
        self.add(aggregate)
        return aggregate

    def stage(self, key: Any, aggregate: A, expected_version: int, staged: dict[Any, A]) -> None:
        current = staged.get(key, self._committed.get(key))
        current_version = current.version if current is not None else 0
        if expected_version == 0 and current is not None:
            raise AlreadyExistsError(f"{aggregate.aggregate_type} {key} exists")
        if current_version != expected_version:
            raise ConcurrencyError(f"{aggregate.aggregate_type} {key} was changed by someone else")
        staged[key] = copy.deepcopy(aggregate)


class InMemoryProductRepository(_Repository[Product]):
    def __init__(self, committed: dict[UUID, Product], stock: dict[str, StockItem]) -> None:
        super().__init__(committed)
        self._stock = stock

    async def get(self, product_id: UUID) -> Product:
        return self._load(product_id, f"no product {product_id}")

    async def offers(self, skus: Iterable[str]) -> dict[str, Offer]:
        return _offers(self._committed, self._stock, skus)

    async def owners(self, skus: Iterable[str]) -> dict[str, Product]:
        wanted, found = set(skus), {}
        for product in self._committed.values():
            if taken := [v.sku for v in product.variants if v.sku in wanted]:
                found.update(dict.fromkeys(taken, copy.deepcopy(product)))
        return found


class InMemoryStockRepository(_Repository[StockItem]):
    def __init__(self, committed: dict[str, StockItem], products: dict[UUID, Product]) -> None:
        super().__init__(committed)
        self._products = products

    async def get_many_offered(
        self, skus: Iterable[str]
    ) -> tuple[dict[str, StockItem], dict[str, Offer]]:
        wanted = list(skus)
        return await self.get_many(wanted), _offers(self._products, self._committed, wanted)

    async def get(self, sku: str) -> StockItem:
        return self._load(sku, f"no SKU {sku}")

    async def get_many(self, skus: Iterable[str]) -> dict[str, StockItem]:
        known = sorted(set(skus) & self._committed.keys())
        return {sku: self._load(sku, sku) for sku in known}


class InMemoryCartRepository(_Repository[Cart]):
    async def get(self, customer_id: UUID) -> Cart:
        if customer_id not in self._committed:
            cart = Cart(customer_id=customer_id)
            self.add(cart)
            return cart
        return self._load(customer_id, "")


class InMemoryOrderRepository(_Repository[Order]):
    def __init__(self, committed: dict[UUID, Order], numbers: itertools.count[int]) -> None:
        super().__init__(committed)
        self._numbers = numbers

    async def get(self, order_id: UUID) -> Order:
        return self._load(order_id, f"no order {order_id}")

    async def find(self, order_id: UUID) -> Order | None:
        return self._load(order_id, "") if order_id in self._committed else None

    async def get_by_payment(self, payment_id: UUID) -> Order:
        for order in self._committed.values():
            if order.has_payment(payment_id):
                return self._load(order.id, "")
        raise NotFoundError(f"no payment {payment_id}")

    async def next_number(self) -> int:
        return next(self._numbers)

    async def due_for_expiry(self, now: datetime, limit: int) -> list[UUID]:
        due = [
            o
            for o in self._committed.values()
            if o.status in AWAITING_PAYMENT and o.payment_due_at <= now
        ]
        return [o.id for o in sorted(due, key=lambda o: o.payment_due_at)][:limit]

    async def unsettled_before(self, before: datetime, limit: int) -> list[UUID]:
        waiting = [
            (since, o.id)
            for o in self._committed.values()
            if (since := o.unsettled_since) is not None and since <= before
        ]
        return [order_id for _, order_id in sorted(waiting)][:limit]

    async def delivered_to(self, customer_id: UUID, product_id: UUID) -> bool:
        return any(
            order.customer_id == customer_id
            and order.status is OrderStatus.DELIVERED
            and any(line.product_id == product_id for line in order.lines)
            for order in self._committed.values()
        )


class InMemorySaleRepository(_Repository[Sale]):
    async def get(self, sale_id: UUID) -> Sale:
        return self._load(sale_id, f"no sale {sale_id}")

    async def due(self, now: datetime, limit: int) -> list[UUID]:
        due = [
            (at, sale.id)
            for sale in self._committed.values()
            if (at := sale.next_due_at) is not None and at <= now
        ]
        return [sale_id for _, sale_id in sorted(due)][:limit]

    async def in_force(self, at: datetime, products: Collection[ProductRef]) -> list[Sale]:
        found = []
        for sale in sorted(self._committed.values(), key=lambda s: s.id):
            targets = sale.terms.applies_to
            picked = [p for p in products if targets.covers(p)]
            if sale.in_force(at) and picked:
                named = targets.product_ids & {p.product_id for p in picked}
                asked = msgspec.structs.replace(targets, product_ids=frozenset(named))
                found.append(_with_targets(sale, asked))
        return found


def _with_targets(sale: Sale, targets: SaleTargets) -> Sale:
    """A copy of `sale` naming only `targets`, as PostgreSQL reads it for pricing."""
    copied = copy.deepcopy(sale)
    copied.terms = msgspec.structs.replace(sale.terms, applies_to=targets)
    return copied


class InMemoryPromoCodeRepository(_Repository[PromoCode]):
    def __init__(self, committed: dict[str, PromoCode], outbox: list[EventEnvelope]) -> None:
        super().__init__(committed)
        self._outbox = outbox

    async def get(self, code: str) -> PromoCode:
        return self._load(code, f"no promo code {code}")

    async def find_for(self, code: str, customer_id: UUID | None) -> tuple[PromoCode, int] | None:
        if code not in self._committed:
            return None
        return self._load(code, ""), self._redemptions(code, customer_id)

    def _redemptions(self, code: str, customer_id: UUID | None) -> int:
        """Counted from the committed events, as PostgreSQL counts the rows they left."""
        count = 0
        for envelope in self._outbox:
            payload = envelope.payload
            if (envelope.aggregate_type, envelope.aggregate_id) != ("promo_code", code):
                continue
            if payload.get("customer_id") != str(customer_id):
                continue
            if envelope.type == PromoCodeRedeemed.type_name():
                count += 1
            elif envelope.type == PromoCodeRedemptionReturned.type_name():
                count -= 1
        return count


class InMemoryReviewRepository(_Repository[Review]):
    async def get(self, review_id: UUID) -> Review:
        return self._load(review_id, f"no review {review_id}")

    async def find_by_author(self, product_id: UUID, customer_id: UUID) -> Review | None:
        found = _author_of(self._committed.values()).get((product_id, customer_id))
        return None if found is None else self._load(found, "")


def _author_of(reviews: Iterable[Review]) -> dict[tuple[UUID, UUID], UUID]:
    """Each review's id by (product, customer)."""
    return {(r.product_id, r.customer_id): r.id for r in reviews}


class InMemoryProductRatingRepository(_Repository[ProductRating]):
    async def get(self, product_id: UUID) -> ProductRating:
        if product_id not in self._committed:
            rating = ProductRating(product_id=product_id)
            self.add(rating)
            return rating
        return self._load(product_id, "")


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
    carts: InMemoryCartRepository
    orders: InMemoryOrderRepository
    promo_codes: InMemoryPromoCodeRepository
    sales: InMemorySaleRepository
    reviews: InMemoryReviewRepository
    product_ratings: InMemoryProductRatingRepository

    def __init__(self, store: InMemoryStore, clock: Clock) -> None:
        self.store = store
        self._clock = clock

    async def __aenter__(self) -> Self:
        self.products = InMemoryProductRepository(self.store.products, self.store.stock)
        self.stock = InMemoryStockRepository(self.store.stock, self.store.products)
        self.accounts = InMemoryAccountRepository(self.store.accounts)
        self.carts = InMemoryCartRepository(self.store.carts)
        self.orders = InMemoryOrderRepository(self.store.orders, self.store.order_numbers)
        self.promo_codes = InMemoryPromoCodeRepository(self.store.promo_codes, self.store.outbox)
        self.sales = InMemorySaleRepository(self.store.sales)
        self.reviews = InMemoryReviewRepository(self.store.reviews)
        self.product_ratings = InMemoryProductRatingRepository(self.store.product_ratings)
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
        pulled: list[tuple[int, list[EventEnvelope]]] = []
        products = self._stage(self.products, pulled, now)
        self._check_unique_skus(products)  # before stock, as PostgreSQL saves variants first
        stock = self._stage(self.stock, pulled, now)
        accounts = self._stage(self.accounts, pulled, now)
        carts = self._stage(self.carts, pulled, now)
        orders = self._stage(self.orders, pulled, now)
        sales = self._stage(self.sales, pulled, now)
        promo_codes = self._stage(self.promo_codes, pulled, now)
        reviews = self._stage(self.reviews, pulled, now)
        ratings = self._stage(self.product_ratings, pulled, now)
        envelopes = in_sighting_order(pulled)
        self._check_unique_emails(accounts)
        self._check_one_review_per_author(reviews)
        self.store.products.update(products)
        self.store.stock.update(stock)
        self.store.accounts.update(accounts)
        self.store.carts.update(carts)
        self.store.orders.update(orders)
        self.store.sales.update(sales)
        self.store.promo_codes.update(promo_codes)
        self.store.reviews.update(reviews)
        self.store.product_ratings.update(ratings)
        self.store.outbox.extend(envelopes)
        return [envelope.event_id for envelope in envelopes]

    @staticmethod
    def _stage(
        repository: _Repository[A], pulled: list[tuple[int, list[EventEnvelope]]], now: datetime
    ) -> dict[Any, A]:
        staged: dict[Any, A] = {}
        for aggregate in _changed(repository.seen):
            expected = aggregate.persisted_version
            pulled.append((repository.sightings.of(aggregate), envelopes_for(aggregate, now)))
            repository.stage(_key(aggregate), aggregate, expected, staged)
        return staged

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

    def _check_one_review_per_author(self, staged: dict[UUID, Review]) -> None:
        authors = _author_of(r for r in self.store.reviews.values() if r.id not in staged)
        for review in staged.values():
            if authors.setdefault((review.product_id, review.customer_id), review.id) != review.id:
                raise AlreadyExistsError(f"the customer has reviewed {review.product_id}")


def _offers(
    products: dict[UUID, Product], stock: dict[str, StockItem], skus: Iterable[str]
) -> dict[str, Offer]:
    wanted = set(skus)
    return {
        variant.sku: Offer(
            sku=variant.sku,
            product_id=product.id,
            name=product.details.name,
            image=product.details.images[0] if product.details.images else None,
            unit_price=variant.price,
            available=stock[variant.sku].available,
            purchasable=not (product.archived or variant.retired),
            category=product.details.category,
            brand=product.details.brand,
        )
        for product in products.values()
        for variant in product.variants
        if variant.sku in wanted and variant.sku in stock
    }


def _key(aggregate: Aggregate) -> Any:
    """The key the store files an aggregate under (its id as it is, not as text)."""
    if isinstance(aggregate, StockItem):
        return aggregate.sku
    if isinstance(aggregate, Cart):
        return aggregate.customer_id
    if isinstance(aggregate, PromoCode):
        return aggregate.code
    if isinstance(aggregate, ProductRating):
        return aggregate.product_id
    # Products, accounts, orders, sales and reviews have `id`.
    return getattr(aggregate, "id")  # noqa: B009


def _changed(aggregates: list[A]) -> list[A]:
    return [a for a in {id(a): a for a in aggregates}.values() if a.has_changes]
