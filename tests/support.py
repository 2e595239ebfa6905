"""Small helpers shared by tests."""

import os
import signal
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.cart_views import InMemoryCartViews
from commerce.adapters.memory.idempotency import InMemoryIdempotencyStore
from commerce.adapters.memory.order_views import InMemoryOrderViews
from commerce.adapters.memory.product_search import InMemoryProductSearch
from commerce.adapters.memory.projection_progress import InMemoryProjectionProgress
from commerce.adapters.memory.promotion_views import InMemoryPromotionViews
from commerce.adapters.memory.review_views import InMemoryReviewViews
from commerce.adapters.memory.revocations import InMemoryTokenRevocations
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.adapters.security.jwt_tokens import JwtTokenIssuer
from commerce.adapters.system_clock import SystemClock
from commerce.container import Container, build_container
from commerce.domain.account import Account, PaymentMethod
from commerce.domain.catalog import Product, ProductDetails, Variant
from commerce.domain.values import Address, Money
from commerce.entrypoints.http.app import create_app
from commerce.ports.auth import Principal
from commerce.ports.clock import Clock
from commerce.settings import Settings
from devstack.server import Server

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# Tests' Elasticsearch clients also create, fill and refresh indices, which a busy machine may
# take longer to do than the API's bound on a query.
ELASTICSEARCH_TIMEOUT = 30.0


def free_port() -> int:
    """A loopback port nobody listens on (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def frozen(server: Server) -> Iterator[None]:
    """The server stops answering but keeps its port (SIGSTOP): the kernel still accepts
    connections, which then hang: the worst kind of outage for a client."""
    pid = server.pid()
    assert pid is not None, f"{server.name} is not running"
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        resumed(server)


def resumed(server: Server) -> None:
    if (pid := server.pid()) is not None:
        os.kill(pid, signal.SIGCONT)


def eur(amount: int) -> Money:
    return Money(amount, "EUR")


def kettle_details(**changes: object) -> ProductDetails:
    fields: dict[str, object] = {
        "name": "Stainless steel kettle",
        "description": "Boils 1.7 l in three minutes.",
        "brand": "Acme",
        "category": "kitchen/kettles",
        "images": ["https://img.example/kettle.jpg"],
        "attributes": {"material": "steel"},
    }
    return ProductDetails(**(fields | changes))  # type: ignore[arg-type]


def kettle_body(sku: str, **changes: Any) -> dict[str, Any]:
    """The body of `POST /v1/admin/products` (and a line of an import) for a kettle."""
    return {
        "name": f"Kettle {sku}",
        "description": "Boils 1.7 l in three minutes.",
        "brand": "Acme",
        "category": "kitchen/kettles",
        "images": ["https://img.example/kettle.jpg"],
        "attributes": {"material": "steel"},
        "variants": [{"sku": sku, "price": {"amount": 2999, "currency": "EUR"}}],
    } | changes


def new_product(*skus: str, price: int = 2999) -> Product:
    return Product.create(
        product_id=uuid.uuid4(),
        details=kettle_details(),
        variants=[Variant(sku=sku, price=eur(price), attributes={"color": "red"}) for sku in skus],
        currency="EUR",
        now=NOW,
    )


TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


# Test modules sign their callers' headers when imported, which is when pytest collects them:
# a whole `make test` later on a busy machine (over 15 min), the app's own 15 minutes are past.
TEST_TOKEN_TTL = 6 * 3600


def bearer(*roles: str, account_id: uuid.UUID | None = None) -> dict[str, str]:
    """An Authorization header for a caller with these roles, signed like the app's tokens."""
    issuer = JwtTokenIssuer(TEST_JWT_SECRET, TEST_TOKEN_TTL, SystemClock())
    token = issuer.issue(account_id or uuid.uuid4(), frozenset(roles)).access_token
    return {"Authorization": f"Bearer {token}"}


def bearer_principal(issued_at: datetime, ttl: timedelta, *roles: str) -> Principal:
    """The caller a token issued at `issued_at`, valid for `ttl`, names."""
    return Principal(
        account_id=uuid.uuid4(),
        roles=frozenset(roles),
        token_id=uuid.uuid4().hex,
        issued_at=issued_at,
        expires_at=issued_at + ttl,
    )


# Where no server listens (port 1 is never bound here): a unit test that reaches past its twins
# fails on every machine, not only on one where no stack runs at the default ports.
NO_SERVER = "127.0.0.1:1"


def container_without_servers(settings: Settings | None = None) -> Container:
    """The app's container with twins for what queries, signed-in requests and keyed commands
    touch (the read models, their progress, the revocation list, the idempotency store): HTTP
    unit tests need no server, and the real adapters point where none is."""
    settings = msgspec.structs.replace(
        settings or Settings(),
        jwt_secret=TEST_JWT_SECRET,
        database_url=f"postgresql://commerce:commerce@{NO_SERVER}/commerce",
        redis_url=f"redis://{NO_SERVER}/0",
        elasticsearch_url=f"http://{NO_SERVER}",
        smtp_url=f"smtp://{NO_SERVER}",
    )
    container = build_container(settings)
    twins = {
        container.token_revocations: InMemoryTokenRevocations(
            SystemClock(), settings.access_token_ttl
        ),
        container.projection_progress: InMemoryProjectionProgress(),
        # A command sent with an Idempotency-Key claims it here, not in PostgreSQL.
        container.idempotency_store: InMemoryIdempotencyStore(),
        container.product_search: InMemoryProductSearch(),
        container.cart_views: InMemoryCartViews(container.settings().currency),
        container.order_views: InMemoryOrderViews(),
        container.review_views: InMemoryReviewViews(),
        container.promotion_views: InMemoryPromotionViews(),
    }
    for provider, twin in twins.items():
        provider.override(providers.Object(twin))
    return container


class ViewsOfStore:
    """A read model's twin (one with `apply(envelopes)`) kept as the worker keeps the read
    model of a store: before each read, it applies what the store's outbox gained since."""

    def __init__(self, store: InMemoryStore, twin: Any) -> None:
        self._store = store
        self._twin = twin
        self._applied = 0

    def __getattr__(self, name: str) -> Any:
        self._twin.apply(self._store.outbox[self._applied :])
        self._applied = len(self._store.outbox)
        return getattr(self._twin, name)


class PromotionsOfStore(ViewsOfStore):
    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store, InMemoryPromotionViews())


@contextmanager
def client_on_store(store: InMemoryStore, clock: Clock) -> Iterator[TestClient[Litestar]]:
    """The app over HTTP, its commands on the in-memory `store` at `clock`'s time."""
    container = container_without_servers()
    container.clock.override(providers.Object(clock))
    container.uow.override(providers.Factory(lambda: InMemoryUnitOfWork(store, clock)))
    container.promotion_views.override(providers.Object(PromotionsOfStore(store)))
    with TestClient(create_app(container.settings(), container)) as test_client:
        yield test_client


def an_address(**changes: object) -> Address:
    fields: dict[str, object] = {
        "name": "Ada Lovelace",
        "line1": "12 St James's Square",
        "city": "London",
        "postal_code": "SW1Y 4JH",
        "country": "GB",
    }
    return Address(**(fields | changes))  # type: ignore[arg-type]


def new_account(
    email: str = "ada@example.com", roles: frozenset[str] = frozenset({"customer"})
) -> Account:
    return Account.register(
        account_id=uuid.uuid4(),
        email=email,
        name="Ada Lovelace",
        password_hash="not-a-real-hash",
        roles=roles,
        now=NOW,
        shipping_address=an_address(),
    )


def a_card(**changes: object) -> PaymentMethod:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "brand": "visa",
        "last4": "4242",
        "exp_month": 12,
        "exp_year": 2030,
        "token": "tok_visa",
    }
    return PaymentMethod(**(fields | changes))  # type: ignore[arg-type]
