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

from commerce.adapters.memory.cart_views import InMemoryCartViews
from commerce.adapters.memory.order_views import InMemoryOrderViews
from commerce.adapters.memory.product_search import InMemoryProductSearch
from commerce.adapters.memory.projection_progress import InMemoryProjectionProgress
from commerce.adapters.memory.revocations import InMemoryTokenRevocations
from commerce.adapters.security.jwt_tokens import JwtTokenIssuer
from commerce.adapters.system_clock import SystemClock
from commerce.container import Container, build_container
from commerce.domain.account import Account, PaymentMethod
from commerce.domain.catalog import Product, ProductDetails, Variant
from commerce.domain.values import Address, Money
from commerce.ports.auth import Principal
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


def bearer(*roles: str, account_id: uuid.UUID | None = None) -> dict[str, str]:
    """An Authorization header for a caller with these roles, signed like the app's tokens."""
    issuer = JwtTokenIssuer(TEST_JWT_SECRET, 900, SystemClock())
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


def container_without_servers(settings: Settings | None = None) -> Container:
    """The app's container with twins for what queries and signed-in requests touch (the read
    models, their progress, the revocation list): HTTP unit tests need no server."""
    settings = msgspec.structs.replace(settings or Settings(), jwt_secret=TEST_JWT_SECRET)
    container = build_container(settings)
    twins = {
        container.token_revocations: InMemoryTokenRevocations(
            SystemClock(), settings.access_token_ttl
        ),
        container.projection_progress: InMemoryProjectionProgress(),
        container.product_search: InMemoryProductSearch(),
        container.cart_views: InMemoryCartViews(container.settings().currency),
        container.order_views: InMemoryOrderViews(),
    }
    for provider, twin in twins.items():
        provider.override(providers.Object(twin))
    return container


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
