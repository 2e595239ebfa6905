"""Accounts and auth over HTTP, against the real PostgreSQL and Redis."""

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
from click.testing import CliRunner
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import TestClient

from commerce.adapters.redis.login_throttle import RedisLoginThrottle
from commerce.container import Container, build_container, close
from commerce.entrypoints.cli import main
from commerce.entrypoints.http.app import create_app
from commerce.ports.auth import ThrottlePolicy
from commerce.settings import Settings
from tests.support import TEST_JWT_SECRET, bearer

PASSWORD = "correct horse battery"
CARD = "4111 1111 1111 1111"
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}


@pytest.fixture
def settings(stack_settings: Settings, database_url: str) -> Settings:
    return msgspec.structs.replace(
        stack_settings, database_url=database_url, jwt_secret=TEST_JWT_SECRET
    )


def throttled_apart(settings: Settings) -> Container:
    container = build_container(settings)
    # Failures are counted per client address, and every TestClient request comes from the
    # same one: a throttle of this test's own keeps runs from adding up in the shared Redis.
    prefix = f"commerce-test:{uuid.uuid4().hex}:"
    container.login_throttle.override(
        providers.Singleton(RedisLoginThrottle, container.redis, ThrottlePolicy(), prefix)
    )
    return container


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(settings, throttled_apart(settings))) as test_client:
        yield test_client


def unique_email() -> str:
    return f"ada-{uuid.uuid4().hex[:10]}@example.com"


def register(client: TestClient[Litestar], email: str, **changes: Any) -> Any:
    body = {"email": email, "password": PASSWORD, "name": "Ada Lovelace"} | changes
    response = client.post("/v1/accounts", json=body)
    assert response.status_code == 201, response.text
    return response


def sign_in(client: TestClient[Litestar], email: str, password: str = PASSWORD) -> Any:
    return client.post("/v1/auth/token", json={"email": email, "password": password})


def auth(client: TestClient[Litestar], email: str) -> dict[str, str]:
    response = sign_in(client, email)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_register_sign_in_read_me_and_sign_out_then_the_old_token_is_refused(
    client: TestClient[Litestar],
) -> None:
    email = unique_email()

    registered = register(client, email.upper(), shipping_address=ADDRESS)
    token = sign_in(client, email)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = client.get("/v1/accounts/me", headers=headers)
    logout = client.post("/v1/auth/logout", headers=headers)
    after = client.get("/v1/accounts/me", headers=headers)

    assert registered.headers["location"] == "/v1/accounts/me"
    assert registered.headers["consistency-token"]
    assert registered.json()["email"] == email
    assert token.status_code == 200
    assert token.json()["token_type"] == "bearer"
    assert token.json()["expires_in"] == settings_ttl(client)
    assert token.headers["cache-control"] == "no-store"
    assert me.status_code == 200
    assert me.json() == {
        "id": registered.json()["id"],
        "email": email,
        "name": "Ada Lovelace",
        "roles": ["customer"],
        "shipping_address": ADDRESS | {"line2": None},
        "billing_address": None,
        "payment_methods": [],
        "communications": "all",
    }
    assert logout.status_code == 204
    assert "consistency-token" in logout.headers
    assert after.status_code == 401
    assert after.headers["content-type"] == "application/problem+json"
    assert "hash" not in registered.text + me.text


def settings_ttl(client: TestClient[Litestar]) -> int:
    ttl: int = client.app.state.settings.access_token_ttl
    return ttl


def test_the_callers_own_routes_need_a_token(client: TestClient[Litestar]) -> None:
    card = {"brand": "visa", "last4": "1111", "exp_month": 1, "exp_year": 2030, "token": CARD}

    assert client.post("/v1/auth/logout").status_code == 401
    assert client.get("/v1/accounts/me").status_code == 401
    assert client.patch("/v1/accounts/me", json={"name": "X"}).status_code == 401
    assert client.post("/v1/accounts/me/payment-methods", json=card).status_code == 401


def test_only_an_admin_creates_staff_accounts(client: TestClient[Litestar]) -> None:
    customer_email = unique_email()
    register(client, customer_email)
    body = {"email": unique_email(), "password": PASSWORD, "name": "Ops", "roles": ["operator"]}

    as_customer = client.post("/v1/admin/staff", json=body, headers=auth(client, customer_email))
    as_operator = client.post("/v1/admin/staff", json=body, headers=bearer("operator"))
    anonymous = client.post("/v1/admin/staff", json=body)
    as_admin = client.post("/v1/admin/staff", json=body, headers=bearer("admin"))

    assert as_customer.status_code == 403
    assert as_customer.headers["content-type"] == "application/problem+json"
    assert as_operator.status_code == 403
    assert anonymous.status_code == 401
    assert as_admin.status_code == 201
    assert as_admin.json()["roles"] == ["operator"]
    assert as_admin.headers["location"] == f"/v1/admin/staff/{as_admin.json()['id']}"
    shown = client.get(as_admin.headers["location"], headers=bearer("admin"))
    assert shown.json() == as_admin.json()
    staff_token = auth(client, body["email"])
    assert client.get("/v1/accounts/me", headers=staff_token).json()["roles"] == ["operator"]


@pytest.mark.parametrize("roles", [["customer"], [], ["overlord"]])
def test_a_staff_account_needs_staff_roles(client: TestClient[Litestar], roles: list[str]) -> None:
    body = {"email": unique_email(), "password": PASSWORD, "name": "X", "roles": roles}

    response = client.post("/v1/admin/staff", json=body, headers=bearer("admin"))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("roles")


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(
    client: TestClient[Litestar],
) -> None:
    email = unique_email()
    register(client, email)

    wrong_password = sign_in(client, email, "not the password")
    unknown_email = sign_in(client, unique_email())

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.headers["www-authenticate"] == "Bearer"


def test_repeated_failures_are_a_429_with_retry_after(client: TestClient[Litestar]) -> None:
    email = unique_email()
    register(client, email)
    failures = [
        sign_in(client, email, "not the password").status_code
        for _ in range(ThrottlePolicy().failures_per_email)
    ]

    locked = sign_in(client, email)

    assert failures == [401] * ThrottlePolicy().failures_per_email
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert 0 < int(locked.headers["retry-after"]) <= ThrottlePolicy().window_seconds


async def test_concurrent_wrong_passwords_are_checked_at_most_the_allowed_number_of_times(
    settings: Settings,
) -> None:
    email, allowed = unique_email(), ThrottlePolicy().failures_per_email
    container = throttled_apart(settings)
    # httpx's ASGI transport runs requests concurrently on this loop (Litestar's test client
    # would run them one by one).
    transport = httpx.ASGITransport(app=create_app(settings, container))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        body = {"email": email, "password": PASSWORD, "name": "Ada"}
        assert (await client.post("/v1/accounts", json=body)).status_code == 201
        guesses = await asyncio.gather(
            *(
                client.post("/v1/auth/token", json={"email": email, "password": f"guess {n}"})
                for n in range(2 * allowed)
            )
        )

    await close(container)
    statuses = sorted(guess.status_code for guess in guesses)
    assert statuses == [401] * allowed + [429] * allowed


@pytest.mark.parametrize(
    "changes",
    [
        {"token": CARD},
        {"token": "tok_4111111111111111"},
        {"brand": "4111-1111-1111-1111"},
        {"card_number": CARD},
        {CARD.replace(" ", ""): "as a key"},
        {"nested": {"deep": [CARD]}},
    ],
)
def test_a_card_number_anywhere_in_the_body_is_a_422_that_does_not_echo_it(
    client: TestClient[Litestar], changes: dict[str, Any]
) -> None:
    email = unique_email()
    register(client, email)
    headers = auth(client, email)
    body = {"brand": "visa", "last4": "1111", "exp_month": 12, "exp_year": 2030} | {
        "token": "tok_visa"
    }

    response = client.post("/v1/accounts/me/payment-methods", json=body | changes, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"]
    digits = CARD.replace(" ", "")
    assert "4111" not in response.text
    assert digits not in response.text.replace(" ", "").replace("-", "")
    assert client.get("/v1/accounts/me", headers=headers).json()["payment_methods"] == []


def test_a_payment_method_is_saved_listed_without_its_token_and_removed(
    client: TestClient[Litestar],
) -> None:
    email = unique_email()
    register(client, email)
    headers = auth(client, email)
    body = {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}

    added = client.post(
        "/v1/accounts/me/payment-methods", json=body | {"token": "tok_visa"}, headers=headers
    )
    listed = client.get("/v1/accounts/me", headers=headers).json()["payment_methods"]
    removed = client.delete(added.headers["location"], headers=headers)
    again = client.delete(added.headers["location"], headers=headers)

    assert added.status_code == 201
    assert added.json() == body | {"id": added.json()["id"]}
    assert added.headers["location"] == f"/v1/accounts/me/payment-methods/{added.json()['id']}"
    assert added.headers["consistency-token"]
    assert listed == [added.json()]
    assert "tok_visa" not in added.text
    assert removed.status_code == 204
    assert removed.headers["consistency-token"]
    assert again.status_code == 404
    assert client.get("/v1/accounts/me", headers=headers).json()["payment_methods"] == []


def test_an_email_taken_in_another_letter_case_is_a_409(client: TestClient[Litestar]) -> None:
    email = unique_email()
    register(client, email)

    response = client.post(
        "/v1/accounts", json={"email": email.upper(), "password": PASSWORD, "name": "Ada"}
    )

    assert response.status_code == 409
    assert response.json()["type"] == "urn:commerce:problem:email_taken"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "too-short"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
    ],
)
def test_a_weak_password_or_a_bad_email_is_a_422_naming_the_field(
    client: TestClient[Litestar], body: dict[str, str], field: str
) -> None:
    defaults = {"email": unique_email(), "password": PASSWORD, "name": "Ada"}

    response = client.post("/v1/accounts", json=defaults | body)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_patching_me_changes_details_and_a_new_password_needs_the_current_one(
    client: TestClient[Litestar],
) -> None:
    email = unique_email()
    register(client, email, billing_address=ADDRESS)
    headers = auth(client, email)

    renamed = client.patch(
        "/v1/accounts/me", json={"name": "Ada King", "billing_address": None}, headers=headers
    )
    without_current = client.patch(
        "/v1/accounts/me", json={"password": "a brand new password"}, headers=headers
    )
    with_current = client.patch(
        "/v1/accounts/me",
        json={"password": "a brand new password", "current_password": PASSWORD},
        headers=headers,
    )

    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["billing_address"]) == ("Ada King", None)
    assert renamed.headers["consistency-token"]
    assert without_current.status_code == 422
    assert without_current.json()["errors"][0]["field"] == "current_password"
    assert with_current.status_code == 200
    assert sign_in(client, email).status_code == 401
    assert sign_in(client, email, "a brand new password").status_code == 200


def test_changing_the_password_signs_out_every_other_token_of_the_account(
    client: TestClient[Litestar],
) -> None:
    email = unique_email()
    register(client, email)
    laptop, phone, stolen = auth(client, email), auth(client, email), auth(client, email)
    other_account = unique_email()
    register(client, other_account)
    bystander = auth(client, other_account)

    changed = client.patch(
        "/v1/accounts/me",
        json={"password": "a brand new password", "current_password": PASSWORD},
        headers=laptop,
    )

    assert changed.status_code == 200
    assert client.get("/v1/accounts/me", headers=laptop).status_code == 200  # kept
    for revoked in (phone, stolen):
        refused = client.get("/v1/accounts/me", headers=revoked)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
    assert client.get("/v1/accounts/me", headers=bystander).status_code == 200
    fresh = sign_in(client, email, "a brand new password")
    assert fresh.status_code == 200
    fresh_headers = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert client.get("/v1/accounts/me", headers=fresh_headers).status_code == 200


def test_the_cli_bootstraps_an_admin_who_can_then_create_staff(
    client: TestClient[Litestar], settings: Settings
) -> None:
    email = unique_email()
    env = {"COMMERCE_DATABASE_URL": settings.database_url}

    created = CliRunner().invoke(
        main,
        ["admin", "create", "--email", email.upper(), "--name", "Root", "--password-stdin"],
        input=f"{PASSWORD}\n",
        env=env,
    )
    again = CliRunner().invoke(
        main,
        ["admin", "create", "--email", email, "--name", "Root"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
        env=env,
    )

    assert created.exit_code == 0, created.output
    assert email in created.output
    assert again.exit_code == 1
    assert "exists" in again.output
    headers = auth(client, email)
    assert client.get("/v1/accounts/me", headers=headers).json()["roles"] == ["admin"]
    staff = {"email": unique_email(), "password": PASSWORD, "name": "Ops", "roles": ["operator"]}
    assert client.post("/v1/admin/staff", json=staff, headers=headers).status_code == 201


def test_control_characters_are_a_422_and_never_reach_the_database(
    client: TestClient[Litestar],
) -> None:
    defaults = {"email": unique_email(), "password": PASSWORD, "name": "Ada"}

    bad_name = client.post("/v1/accounts", json=defaults | {"name": "\u0000K"})
    bad_address = client.post(
        "/v1/accounts", json=defaults | {"shipping_address": ADDRESS | {"city": "Lon\u0000don"}}
    )
    bad_login = sign_in(client, "ada\u0000@example.com")

    assert bad_name.status_code == 422
    assert bad_name.json()["errors"][0]["field"] == "name"
    assert bad_address.status_code == 422
    assert bad_address.json()["errors"][0]["field"] == "shipping_address.city"
    # Refused for what it is, whoever it names: it tells nothing about which accounts exist.
    assert bad_login.status_code == 422
    assert bad_login.json()["errors"][0]["field"] == "email"


def test_a_customer_who_chooses_essential_emails_only_keeps_that_choice_with_other_changes(
    client: TestClient[Litestar],
) -> None:
    email = unique_email()
    register(client, email)
    headers = auth(client, email)

    chosen = client.patch("/v1/accounts/me", json={"communications": "essential"}, headers=headers)
    renamed = client.patch("/v1/accounts/me", json={"name": "Ada King"}, headers=headers)
    me = client.get("/v1/accounts/me", headers=headers)

    assert chosen.status_code == 200, chosen.text
    assert renamed.json()["communications"] == "essential"
    assert me.json()["communications"] == "essential"
    assert me.json()["name"] == "Ada King"
