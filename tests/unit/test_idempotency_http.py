"""`Idempotency-Key` over HTTP: the app with one more route that declares `idempotency`, as a
new idempotent route would, and the in-memory store."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import pytest
from dependency_injector import providers
from litestar import Response, post
from litestar.params import JSONBody

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.idempotency import InMemoryIdempotencyStore
from commerce.entrypoints.http.app import create_app
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.idempotency import Idempotency
from tests.support import bearer, container_without_servers

ORDERS = "/v1/test/orders"
STAFF_ONLY = "/v1/test/staff-orders"
BODY = {"note": "leave at the door", "lines": [{"sku": "K-1", "quantity": 2}]}


class OrderBody(msgspec.Struct, frozen=True):
    note: str
    lines: list[dict[str, Any]]


class OrderView(msgspec.Struct, frozen=True):
    number: int
    note: str


@dataclass
class Shop:
    """What the route did: each run places one more order, unless told to fail or wait."""

    placed: int = 0
    fail_with: int | None = None
    hold: asyncio.Event | None = None
    started: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def shop() -> Shop:
    return Shop()


@pytest.fixture
async def client(shop: Shop) -> AsyncIterator[httpx.AsyncClient]:
    container = container_without_servers()
    container.idempotency_store.override(providers.Object(InMemoryIdempotencyStore()))
    container.clock.override(providers.Object(FixedClock()))

    @post(ORDERS)
    async def place_order(
        data: JSONBody[OrderBody], idempotency: Injected[Idempotency]
    ) -> Response[Any]:
        shop.started.set()
        if shop.hold is not None:
            await shop.hold.wait()
        if shop.fail_with == 500:
            raise RuntimeError("the database went away")
        if shop.fail_with is not None:
            return Response({"detail": "no"}, status_code=shop.fail_with)
        shop.placed += 1
        headers = {"Location": f"{ORDERS}/{shop.placed}", "X-Request-Id": str(shop.placed)}
        return Response(OrderView(shop.placed, data.note), status_code=201, headers=headers)

    @post(STAFF_ONLY, guards=[requires_role("operator")])
    async def place_staff_order(idempotency: Injected[Idempotency]) -> None:
        shop.placed += 1

    app = create_app(container.settings(), container)
    app.register(place_order)
    app.register(place_staff_order)
    # In the test's own event loop (Litestar's test client runs the app in a thread of its
    # own), so that a test can hold one request while it sends another.
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=bearer("customer")
    ) as test_client:
        yield test_client


def key(value: str = "key-1") -> dict[str, str]:
    return {"Idempotency-Key": value}


async def test_a_retry_replays_the_first_response_and_places_nothing_more(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    first = await client.post(ORDERS, json=BODY, headers=key())
    # The same request, written differently: other key order and whitespace.
    same = b'{ "lines": [{"quantity": 2, "sku": "K-1"}],\n "note": "leave at the door" }'
    retry = await client.post(
        ORDERS, content=same, headers={**key(), "Content-Type": "application/json"}
    )

    assert shop.placed == 1
    assert first.status_code == retry.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    assert retry.json() == {"number": 1, "note": "leave at the door"}
    assert retry.headers["content-type"] == first.headers["content-type"]
    assert retry.headers["location"] == first.headers["location"] == f"{ORDERS}/1"
    # Not replayed: the retry is a request of its own, with an id of its own.
    assert retry.headers["x-request-id"] not in {first.headers["x-request-id"], "1"}


async def test_another_key_is_another_request(client: httpx.AsyncClient, shop: Shop) -> None:
    await client.post(ORDERS, json=BODY, headers=key("key-1"))
    second = await client.post(ORDERS, json=BODY, headers=key("key-2"))

    assert second.status_code == 201
    assert shop.placed == 2


async def test_the_same_key_with_another_body_is_a_422_naming_the_header(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await client.post(ORDERS, json=BODY, headers=key())

    response = await client.post(ORDERS, json={**BODY, "note": "ring twice"}, headers=key())

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["field"] == "Idempotency-Key"
    assert "different request" in error["message"]
    assert shop.placed == 1


async def test_a_retry_while_the_first_request_runs_is_a_409_in_flight(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    shop.hold = asyncio.Event()
    first = asyncio.create_task(client.post(ORDERS, json=BODY, headers=key()))
    await asyncio.wait_for(shop.started.wait(), timeout=5)

    retry = await client.post(ORDERS, json=BODY, headers=key())
    shop.hold.set()
    done = await asyncio.wait_for(first, timeout=5)

    assert retry.status_code == 409
    assert retry.json()["type"] == "urn:commerce:problem:request_in_flight"
    assert done.status_code == 201
    assert shop.placed == 1


async def test_a_request_without_the_header_is_a_400_that_says_what_is_missing(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    response = await client.post(ORDERS, json=BODY)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "Idempotency-Key header is required" in response.json()["detail"]
    assert shop.placed == 0


async def test_a_body_nested_deeper_than_the_decoder_goes_is_a_400_and_leaves_the_key_free(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    nested = b'{"note": "x", "lines": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    headers = {**key(), "Content-Type": "application/json"}

    refused = await client.post(ORDERS, content=nested, headers=headers)
    retry = await client.post(ORDERS, json=BODY, headers=key())

    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert retry.status_code == 201
    assert shop.placed == 1


async def test_a_caller_the_route_refuses_hears_so_before_anything_about_the_key(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    without_key = await client.post(STAFF_ONLY)
    with_bad_key = await client.post(STAFF_ONLY, headers=key(""))

    assert without_key.status_code == with_bad_key.status_code == 403  # a customer, not staff
    assert shop.placed == 0


@pytest.mark.parametrize("value", ["", "k" * 256], ids=["empty", "256 characters"])
async def test_a_key_that_is_empty_or_longer_than_255_characters_is_a_422(
    client: httpx.AsyncClient, shop: Shop, value: str
) -> None:
    response = await client.post(ORDERS, json=BODY, headers=key(value))

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "Idempotency-Key", "message": "must be 1 to 255 characters"}
    ]
    assert shop.placed == 0


async def test_a_key_of_255_characters_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(ORDERS, json=BODY, headers=key("k" * 255))

    assert response.status_code == 201


@pytest.mark.parametrize("failure", [500, 409])
async def test_a_failed_request_releases_its_key_so_that_a_retry_runs_again(
    client: httpx.AsyncClient, shop: Shop, failure: int
) -> None:
    shop.fail_with = failure
    failed = await client.post(ORDERS, json=BODY, headers=key())
    shop.fail_with = None
    retry = await client.post(ORDERS, json=BODY, headers=key())

    assert failed.status_code == failure
    assert retry.status_code == 201
    assert "idempotent-replayed" not in retry.headers
    assert shop.placed == 1


async def test_the_header_is_documented_as_required_with_its_bounds(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()

    (parameter,) = schema["paths"][ORDERS]["post"]["parameters"]
    assert parameter["name"] == "Idempotency-Key"
    assert parameter["in"] == "header"
    assert parameter["required"] is True
    bounds = {"type": "string", "minLength": 1, "maxLength": 255}
    assert {name: parameter["schema"].get(name) for name in bounds} == bounds
    assert "oneOf" not in parameter["schema"]
    assert "retry" in parameter["description"]
