"""`Consistency-Token` over HTTP: every route that reads a read model waits for that read
model, and says `Consistency: stale` when it could not catch up in time."""

import re
import uuid
from collections.abc import Iterator

import pytest
from dependency_injector import providers
from litestar import Litestar, get
from litestar.testing import TestClient

from commerce.adapters.memory.projection_progress import InMemoryProjectionProgress
from commerce.application.consistency import encode_token
from commerce.container import Container
from commerce.entrypoints.http.app import create_app
from commerce.entrypoints.http.dependencies import Injected
from commerce.ports.order_views import OrderViews
from commerce.settings import Settings
from tests.support import bearer, container_without_servers

QUERIES = {  # route: the read model it reads
    "/v1/products": "products",
    "/v1/products/suggest": "products",
    "/v1/products/{product_id}": "products",
    "/v1/cart": "carts",
    "/v1/orders": "orders",
    "/v1/orders/{order_id}": "orders",
    "/v1/orders/{order_id}/payments": "orders",
    "/v1/payments/{payment_id}": "orders",
    "/v1/admin/orders": "orders",
    "/v1/products/{product_id}/reviews": "reviews",
    "/v1/products/{product_id}/reviews/{review_id}": "reviews",
    "/v1/admin/discounts": "promotions",
    "/v1/admin/discounts/{sale_id}": "promotions",
    "/v1/admin/promo-codes": "promotions",
    "/v1/admin/promo-codes/{code}": "promotions",
}
READ_MODELS = ("products", "carts", "orders", "reviews", "promotions")


def url(route: str) -> str:
    return re.sub(r"\{\w+\}", str(uuid.uuid4()), route)  # ids of nothing: 404s do as well


@pytest.fixture
def progress() -> InMemoryProjectionProgress:
    return InMemoryProjectionProgress()


@pytest.fixture
def container(progress: InMemoryProjectionProgress) -> Container:
    container = container_without_servers(Settings(consistency_wait=0.05))
    container.projection_progress.override(providers.Object(progress))
    return container


@pytest.fixture
def app(container: Container) -> Litestar:
    application = create_app(container.settings(), container)

    @get("/probe/orders", include_in_schema=False)
    async def probe(order_views: Injected[OrderViews]) -> str:
        """A query route as a new one would be written: it only declares what it reads."""
        return "read"

    application.register(probe)
    return application


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


async def a_token_projected_in(progress: InMemoryProjectionProgress, *read_models: str) -> str:
    event_id = uuid.uuid4()
    for read_model in read_models:
        await progress.mark_projected(read_model, [event_id])
    return encode_token([event_id])


@pytest.mark.parametrize(("route", "read_model"), QUERIES.items())
async def test_a_query_waits_for_its_own_read_model_and_says_stale_when_it_lags(
    client: TestClient[Litestar], progress: InMemoryProjectionProgress, route: str, read_model: str
) -> None:
    others = [model for model in READ_MODELS if model != read_model]
    projected = await a_token_projected_in(progress, read_model)
    elsewhere = await a_token_projected_in(progress, *others)
    signed_in, path = bearer("admin"), url(route)

    caught_up = client.get(path, headers=signed_in | {"Consistency-Token": projected})
    lagging = client.get(path, headers=signed_in | {"Consistency-Token": elsewhere})

    assert caught_up.status_code < 500
    assert "consistency" not in caught_up.headers
    assert lagging.headers["consistency"] == "stale"
    assert lagging.status_code == caught_up.status_code  # answered anyway


def test_a_new_query_route_honours_the_token_by_declaring_the_read_model_it_reads(
    client: TestClient[Litestar],
) -> None:
    never_projected = encode_token([uuid.uuid4()])

    lagging = client.get("/probe/orders", headers={"Consistency-Token": never_projected})
    without_token = client.get("/probe/orders")

    assert lagging.status_code == without_token.status_code == 200
    assert lagging.headers["consistency"] == "stale"
    assert "consistency" not in without_token.headers


def test_every_query_route_documents_the_header(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()

    for route in QUERIES:
        parameters = schema["paths"][route]["get"]["parameters"]
        (header,) = [p for p in parameters if p["name"] == "Consistency-Token"]
        assert header["in"] == "header"
        assert header["required"] is False
        assert header["schema"]["maxLength"] == 2000
        assert "stale" in header["description"]
