"""Over HTTP, on the in-memory twins: a customer chooses which emails they get, and asks for
one when an out-of-stock variant is back."""

import uuid
from collections.abc import Iterator

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.accounts import InMemoryAccountProfiles
from commerce.adapters.memory.back_in_stock import InMemoryBackInStockRequests
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.domain.inventory import StockItem
from commerce.entrypoints.http.app import create_app
from tests.support import NOW, bearer, container_without_servers, new_account, new_product

SKU = "KETTLE-RED"


@pytest.fixture
def requests() -> InMemoryBackInStockRequests:
    return InMemoryBackInStockRequests()


@pytest.fixture
def client(
    store: InMemoryStore, requests: InMemoryBackInStockRequests
) -> Iterator[TestClient[Litestar]]:
    container = container_without_servers()
    clock = FixedClock(NOW)
    container.clock.override(providers.Object(clock))
    container.uow.override(providers.Factory(lambda: InMemoryUnitOfWork(store, clock)))
    container.account_profiles.override(providers.Object(InMemoryAccountProfiles(store)))
    container.back_in_stock_requests.override(providers.Object(requests))
    with TestClient(create_app(container.settings(), container)) as test_client:
        yield test_client


@pytest.fixture
async def product_id(store: InMemoryStore, clock: FixedClock) -> uuid.UUID:
    product = new_product(SKU)
    async with InMemoryUnitOfWork(store, clock) as uow:
        uow.products.add(product)
        uow.stock.add(StockItem.open(SKU, product.id, on_hand=0))
        await uow.commit()
    return product.id


@pytest.fixture
async def customer(store: InMemoryStore, clock: FixedClock) -> dict[str, str]:
    account = new_account()
    async with InMemoryUnitOfWork(store, clock) as uow:
        uow.accounts.add(account)
        await uow.commit()
    return bearer("customer", account_id=account.id)


def test_a_customer_may_choose_essential_emails_only_and_sees_the_choice(
    client: TestClient[Litestar], customer: dict[str, str]
) -> None:
    before = client.get("/v1/accounts/me", headers=customer).json()
    changed = client.patch(
        "/v1/accounts/me", json={"communications": "essential"}, headers=customer
    )

    assert before["communications"] == "all"
    assert changed.status_code == 200, changed.text
    assert changed.json()["communications"] == "essential"
    assert client.get("/v1/accounts/me", headers=customer).json()["communications"] == "essential"


def test_an_unknown_communications_choice_is_a_422_naming_the_field(
    client: TestClient[Litestar], customer: dict[str, str]
) -> None:
    response = client.patch("/v1/accounts/me", json={"communications": "none"}, headers=customer)

    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["communications"]


def test_a_customer_asks_once_for_an_out_of_stock_variant_and_asking_again_changes_nothing(
    client: TestClient[Litestar],
    customer: dict[str, str],
    product_id: uuid.UUID,
    requests: InMemoryBackInStockRequests,
) -> None:
    url = f"/v1/products/{product_id}/variants/{SKU}/back-in-stock"

    first = client.post(url, headers=customer)
    again = client.post(url, headers=customer)

    assert first.status_code == 201, first.text
    assert first.json() == {"product_id": str(product_id), "sku": SKU, "waiting": True}
    assert again.status_code == 200, again.text
    assert len(requests._requests) == 1


async def test_a_variant_in_stock_is_a_409_and_an_unknown_one_a_404(
    client: TestClient[Litestar],
    customer: dict[str, str],
    product_id: uuid.UUID,
    store: InMemoryStore,
    clock: FixedClock,
) -> None:
    async with InMemoryUnitOfWork(store, clock) as uow:
        (await uow.stock.get(SKU)).set_counted(3)
        await uow.commit()

    in_stock = client.post(
        f"/v1/products/{product_id}/variants/{SKU}/back-in-stock", headers=customer
    )
    unknown = client.post(
        f"/v1/products/{product_id}/variants/NOPE-1/back-in-stock", headers=customer
    )
    no_product = client.post(
        f"/v1/products/{uuid.uuid4()}/variants/{SKU}/back-in-stock", headers=customer
    )

    assert in_stock.status_code == 409, in_stock.text
    assert in_stock.headers["content-type"] == "application/problem+json"
    assert unknown.status_code == 404, unknown.text
    assert no_product.status_code == 404, no_product.text


def test_asking_is_for_signed_in_customers_only(
    client: TestClient[Litestar], product_id: uuid.UUID
) -> None:
    url = f"/v1/products/{product_id}/variants/{SKU}/back-in-stock"

    assert client.post(url).status_code == 401
    assert client.post(url, headers=bearer("operator")).status_code == 403


def test_a_path_that_is_no_sku_is_a_documented_422_naming_it(
    client: TestClient[Litestar], customer: dict[str, str], product_id: uuid.UUID
) -> None:
    url = f"/v1/products/{product_id}/variants/%C2%84/back-in-stock"

    response = client.post(url, headers=customer)
    documented = client.get("/schema/openapi.json").json()["paths"][
        "/v1/products/{product_id}/variants/{sku}/back-in-stock"
    ]["post"]["responses"]

    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["sku"]
    assert "422" in documented
