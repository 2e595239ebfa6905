"""Every JSON body is read strictly, on every write route of the OpenAPI document (so a new
route is covered without touching this file): bytes that are not UTF-8 are a 400; a control
character, an unknown field or a value of the wrong JSON type is a 422 naming the field. Each
body here is wrong in exactly one place, which the answer must name.

The app runs on the in-memory twins: nothing here needs, or may reach, a server."""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.memory.accounts import InMemoryAccountProfiles
from commerce.adapters.memory.cart_views import InMemoryCartViews
from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.idempotency import InMemoryIdempotencyStore
from commerce.adapters.memory.login_throttle import InMemoryLoginThrottle
from commerce.adapters.memory.order_views import InMemoryOrderViews
from commerce.adapters.memory.passwords import InMemoryPasswordHasher
from commerce.adapters.memory.payment_gateway import InMemoryPaymentGateway
from commerce.adapters.memory.projection_progress import InMemoryProjectionProgress
from commerce.adapters.memory.revocations import InMemoryTokenRevocations
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.container import build_container
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.support import NOW, TEST_JWT_SECRET, bearer

Schema = dict[str, Any]
Leaf = Callable[[Schema], Iterator[tuple[str, Any]]]

SETTINGS = Settings(jwt_secret=TEST_JWT_SECRET)
OPENAPI: Schema = create_app(SETTINGS).openapi_schema.to_schema()


def write_operations() -> list[tuple[str, str, Schema]]:
    """(method, URL, body schema) of every operation of the document that takes a JSON body;
    the URL has a well-formed value (a UUID, or a SKU) for each path parameter."""
    found = []
    for path, item in OPENAPI["paths"].items():
        for method in ("post", "put", "patch"):
            operation = item.get(method, {})
            if "requestBody" in operation:
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                found.append((method.upper(), _url(path, operation), schema))
    return found


def _url(path: str, operation: Schema) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            is_uuid = parameter["schema"].get("format") == "uuid"
            value = str(uuid.uuid4()) if is_uuid else "SKU-1"
            path = path.replace(f"{{{parameter['name']}}}", value)
    return path


WRITES = write_operations()


def _resolve(schema: Schema) -> Schema:
    if "$ref" in schema:
        return OPENAPI["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _join(name: str, path: str) -> str:
    return f"{name}{path}" if not path or path.startswith("[") else f"{name}.{path}"


def placements(schema: Schema, leaf: Leaf) -> Iterator[tuple[str, Any]]:
    """(field, body) for each place of the schema where `leaf` puts a value: the body holds
    that value there and nothing else, and `field` names the place as problems do."""
    schema = _resolve(schema)
    yield from leaf(schema)
    for member in schema.get("oneOf", []) + schema.get("anyOf", []):
        yield from placements(member, leaf)
    for name, child in schema.get("properties", {}).items():
        for path, value in placements(child, leaf):
            yield _join(name, path), {name: value}
    if isinstance(schema.get("additionalProperties"), dict):
        for path, value in placements(schema["additionalProperties"], leaf):
            yield _join("key", path), {"key": value}
    if "items" in schema:
        for path, value in placements(schema["items"], leaf):
            yield _join("[0]", path), [value]


def cases(leaf: Leaf) -> list[Any]:
    found = []
    for method, url, schema in WRITES:
        for field, body in placements(schema, leaf):
            sent = msgspec.json.encode(body).decode()
            found.append(pytest.param(method, url, field, body, id=f"{method} {url} {sent}"))
    return found


def text_with(character: str) -> Leaf:
    def leaf(schema: Schema) -> Iterator[tuple[str, Any]]:
        if schema.get("type") == "string":
            yield "", f"a{character}b"
        if isinstance(schema.get("additionalProperties"), dict):  # a map: its keys are text too
            yield f"k{character}", {f"k{character}": "v"}

    return leaf


def unknown_field(schema: Schema) -> Iterator[tuple[str, Any]]:
    if "properties" in schema:
        yield "unexpected", {"unexpected": 1}


def loose_types(schema: Schema) -> Iterator[tuple[str, Any]]:
    """Values that a lenient decoder would take for a number or a boolean."""
    if schema.get("type") == "integer":
        number = schema.get("minimum", 1)  # in range: only its JSON type is wrong
        yield "", str(number)
        yield "", float(number)
    if schema.get("type") == "boolean":
        yield "", "true"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    clock, store = FixedClock(NOW), InMemoryStore()
    container = build_container(SETTINGS)
    for provider, twin in {
        container.uow: lambda: InMemoryUnitOfWork(store, clock),
        container.token_revocations: lambda: InMemoryTokenRevocations(
            clock, SETTINGS.access_token_ttl
        ),
        container.login_throttle: lambda: InMemoryLoginThrottle(clock),
        container.password_hasher: InMemoryPasswordHasher,
        container.account_profiles: lambda: InMemoryAccountProfiles(store),
        container.idempotency_store: InMemoryIdempotencyStore,
        container.payment_gateway: InMemoryPaymentGateway,
        container.cart_views: lambda: InMemoryCartViews(SETTINGS.currency),
        container.order_views: InMemoryOrderViews,
        container.projection_progress: InMemoryProjectionProgress,
    }.items():
        provider.override(providers.Factory(twin))
    with TestClient(create_app(SETTINGS, container), raise_server_exceptions=False) as test_client:
        yield test_client


def send(client: TestClient[Litestar], method: str, url: str, content: bytes) -> Any:
    """As an admin (every guard lets one through), with an `Idempotency-Key`."""
    headers = bearer("admin") | {
        "Content-Type": "application/json",
        "Idempotency-Key": uuid.uuid4().hex,
    }
    return client.request(method, url, content=content, headers=headers)


def assert_names(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]], response.text


def test_the_write_routes_are_found_in_the_document() -> None:
    found = {(method, url) for method, url, _ in WRITES}

    assert len(found) == len(WRITES) >= 15
    assert {("POST", "/v1/auth/token"), ("PUT", "/v1/cart/items/SKU-1")} <= found


NOT_UTF8 = {
    "a byte that starts nothing": b'{"name": "\xff\xfe"}',
    "an invalid byte in a key": b'{"na\xffme": "x"}',
    "a sequence cut short": b'{"name": "\xe2\x82"}',
    "an overlong encoding": b'{"name": "\xc0\xaf"}',
    "an encoded surrogate": b'{"name": "\xed\xa0\x80"}',
    "a code point past U+10FFFF": b'{"name": "\xf4\x90\x80\x80"}',
}


@pytest.mark.parametrize("content", NOT_UTF8.values(), ids=NOT_UTF8.keys())
@pytest.mark.parametrize(
    ("method", "url", "schema"), WRITES, ids=[f"{m} {u}" for m, u, _ in WRITES]
)
def test_a_body_that_is_not_utf8_is_a_400_problem(
    client: TestClient[Litestar], method: str, url: str, schema: Schema, content: bytes
) -> None:
    response = send(client, method, url, content)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The JSON body is not valid UTF-8."


@pytest.mark.parametrize(("method", "url", "field", "body"), cases(text_with("\u0000")))
def test_a_nul_in_any_text_or_key_is_a_422_naming_the_field(
    client: TestClient[Litestar], method: str, url: str, field: str, body: Any
) -> None:
    response = send(client, method, url, msgspec.json.encode(body))

    assert_names(response, field)
    assert "must not contain control characters" in response.text


@pytest.mark.parametrize(("method", "url", "field", "body"), cases(unknown_field))
def test_an_unknown_field_anywhere_is_a_422_naming_it(
    client: TestClient[Litestar], method: str, url: str, field: str, body: Any
) -> None:
    assert_names(send(client, method, url, msgspec.json.encode(body)), field)


@pytest.mark.parametrize(("method", "url", "field", "body"), cases(loose_types))
def test_a_string_or_a_float_is_never_taken_for_a_number_or_a_boolean(
    client: TestClient[Litestar], method: str, url: str, field: str, body: Any
) -> None:
    assert_names(send(client, method, url, msgspec.json.encode(body)), field)


LINE_BREAKS = ["\t", "\n", "\r"]
OTHER_CONTROLS = ["\u0001", "\u0008", "\u000b", "\u000c", "\u001b", "\u001f", "\u007f"]


def a_product(**changes: str) -> bytes:
    variant = {"sku": f"K-{uuid.uuid4().hex[:8]}", "price": {"amount": 2999, "currency": "EUR"}}
    body = {"name": "Kettle", "brand": "Acme", "category": "kitchen/kettles", "variants": [variant]}
    return msgspec.json.encode(body | changes)


@pytest.mark.parametrize("character", LINE_BREAKS + OTHER_CONTROLS)
def test_a_single_line_of_text_takes_no_control_character(
    client: TestClient[Litestar], character: str
) -> None:
    response = send(client, "POST", "/v1/admin/products", a_product(brand=f"Ac{character}me"))

    assert_names(response, "brand")


@pytest.mark.parametrize("character", OTHER_CONTROLS)
def test_free_text_takes_no_control_character_but_tabs_and_line_breaks(
    client: TestClient[Litestar], character: str
) -> None:
    refused = send(client, "POST", "/v1/admin/products", a_product(description=f"a{character}"))
    taken = send(client, "POST", "/v1/admin/products", a_product(description="a\tb\r\nc"))

    assert_names(refused, "description")
    assert "other than tabs and line breaks" in refused.text
    assert taken.status_code == 201, taken.text
