"""The storefront app with in-memory twins for every port it touches: pages render, forms
post and sign-ins work with no server."""

from collections.abc import Iterator
from contextlib import contextmanager

from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.accounts import InMemoryAccountProfiles
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.login_throttle import InMemoryLoginThrottle
from commerce.adapters.memory.passwords import InMemoryPasswordHasher
from commerce.adapters.memory.payment_gateway import InMemoryPaymentGateway
from commerce.adapters.memory.product_search import InMemoryProductSearch
from commerce.adapters.memory.revocations import InMemoryTokenRevocations
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.container import Container
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.support import container_without_servers

PASSWORD = "a-long-enough-password"


def storefront_container(clock: FixedClock, settings: Settings | None = None) -> Container:
    container = container_without_servers(settings)
    store = InMemoryStore()
    twins = {
        container.clock: clock,
        container.password_hasher: InMemoryPasswordHasher(),
        container.login_throttle: InMemoryLoginThrottle(clock),
        container.account_profiles: InMemoryAccountProfiles(store),
        container.payment_gateway: InMemoryPaymentGateway(),
        # On the same clock as the tokens, or a revocation would lapse before they expire.
        container.token_revocations: InMemoryTokenRevocations(clock, 900),
    }
    for provider, twin in twins.items():
        provider.override(providers.Object(twin))
    container.uow.override(providers.Factory(lambda: InMemoryUnitOfWork(store, clock)))
    return container


@contextmanager
def browser(
    container: Container, base_url: str = "http://shop.local"
) -> Iterator[TestClient[Litestar]]:
    """A client that keeps cookies and does not follow redirects, as a test wants to see them."""
    app = create_app(container.settings(), container)
    with TestClient(app, base_url=base_url, raise_server_exceptions=False) as client:
        client.follow_redirects = False
        yield client


def csrf_token(client: TestClient[Litestar], path: str = "/sign-in") -> str:
    """The token a page puts in its forms (the CSRF cookie is set with it)."""
    page = client.get(path)
    marker = 'name="_csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


def signed_up(client: TestClient[Litestar], email: str = "ada@example.com") -> None:
    token = csrf_token(client, "/sign-up")
    form = {"_csrf_token": token, "name": "Ada", "email": email, "password": PASSWORD}
    answer = client.post("/sign-up", data=form)
    assert answer.status_code == 303, answer.text


def search_index(container: Container) -> InMemoryProductSearch:
    search = container.product_search()
    assert isinstance(search, InMemoryProductSearch)
    return search
