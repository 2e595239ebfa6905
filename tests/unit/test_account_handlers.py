"""Account and auth handlers on the in-memory twins: no server, state assertions."""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import msgspec
import pytest

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.login_throttle import InMemoryLoginThrottle
from commerce.adapters.memory.passwords import InMemoryPasswordHasher
from commerce.adapters.memory.revocations import InMemoryTokenRevocations
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.adapters.security.jwt_tokens import JwtTokenIssuer
from commerce.application.accounts import (
    AddPaymentMethod,
    ChangeAccount,
    CreateStaffAccount,
    RegisterAccount,
    RemovePaymentMethod,
    add_payment_method,
    change_account,
    create_staff_account,
    register_account,
    remove_payment_method,
)
from commerce.application.auth import (
    WRONG_CREDENTIALS,
    IssueToken,
    issue_token,
)
from commerce.domain.account import Account, DuplicateEmailError
from commerce.domain.errors import (
    AuthenticationError,
    DomainValidationError,
    NotFoundError,
    RateLimitedError,
)
from commerce.ports.auth import IssuedToken, Principal, ThrottlePolicy
from commerce.ports.health import DependencyUnavailableError
from tests.support import TEST_JWT_SECRET, an_address

PASSWORD = "correct horse battery"
CLIENT = "203.0.113.7"


class CountingHasher(InMemoryPasswordHasher):
    """Remembers which hashes it was asked to verify against."""

    def __init__(self) -> None:
        self.verified: list[str | None] = []

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.verified.append(password_hash)
        return await super().verify(password_hash, password)


@dataclass
class World:
    clock: FixedClock = field(default_factory=FixedClock)
    store: InMemoryStore = field(default_factory=InMemoryStore)
    hasher: CountingHasher = field(default_factory=CountingHasher)

    def __post_init__(self) -> None:
        self.throttle = InMemoryLoginThrottle(self.clock, ThrottlePolicy())
        self.issuer = JwtTokenIssuer(TEST_JWT_SECRET, 900, self.clock)
        self.revocations = InMemoryTokenRevocations(self.clock, token_lifetime=900)

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store, self.clock)

    async def register(self, email: str = "ada@example.com", **changes: object) -> Account:
        command = RegisterAccount(email=email, password=PASSWORD, name="Ada", **changes)  # type: ignore[arg-type]
        return (await register_account(command, self.uow(), self.hasher, self.clock)).account

    async def sign_in(self, email: str, password: str = PASSWORD) -> IssuedToken:
        command = IssueToken(email=email, password=password, client=CLIENT)
        return await issue_token(command, self.uow(), self.hasher, self.throttle, self.issuer)

    async def change(self, account: Account, token_id: str = "", **changes: object) -> Account:
        command = ChangeAccount(account_id=account.id, token_id=token_id, client=CLIENT, **changes)  # type: ignore[arg-type]
        result = await change_account(
            command,
            self.uow(),
            hasher=self.hasher,
            throttle=self.throttle,
            revocations=self.revocations,
            clock=self.clock,
        )
        return result.account

    async def principal(self, email: str = "ada@example.com") -> Principal:
        return self.issuer.verify((await self.sign_in(email)).access_token)

    def stored(self, account: Account) -> Account:
        return self.store.accounts[account.id]


@pytest.fixture
def world() -> World:
    return World()


async def test_registering_stores_a_customer_whose_password_verifies(world: World) -> None:
    account = await world.register("Ada@Example.com", shipping_address=an_address())

    stored = world.stored(account)
    assert stored.email == "ada@example.com"
    assert stored.roles == frozenset({"customer"})
    assert stored.shipping_address == an_address()
    assert PASSWORD not in stored.password_hash
    assert await world.hasher.verify(stored.password_hash, PASSWORD)
    assert [e.type for e in world.store.outbox] == ["AccountRegistered"]


def test_commands_never_show_a_password_or_token_in_their_repr() -> None:
    register = RegisterAccount(email="ada@example.com", password=PASSWORD, name="Ada")
    card = AddPaymentMethod(
        account_id=uuid.uuid4(),
        brand="visa",
        last4="4242",
        exp_month=1,
        exp_year=2030,
        token="tok_private",
    )

    assert PASSWORD not in repr(register)
    assert "ada@example.com" in repr(register)
    assert "tok_private" not in repr(card)


async def test_an_email_taken_in_another_letter_case_is_a_conflict(world: World) -> None:
    await world.register("grace@example.com")

    with pytest.raises(DuplicateEmailError):
        await world.register("GRACE@Example.com")

    assert len(world.store.accounts) == 1


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("ada@example.com", "too-short", "password"), ("not-an-email", PASSWORD, "email")],
)
async def test_a_weak_password_or_a_bad_email_is_refused_before_anything_is_stored(
    world: World, email: str, password: str, field: str
) -> None:
    command = RegisterAccount(email=email, password=password, name="Ada")

    with pytest.raises(DomainValidationError) as refused:
        await register_account(command, world.uow(), world.hasher, world.clock)

    assert refused.value.field == field
    assert world.store.accounts == {}


async def test_signing_in_issues_a_token_for_the_account_and_its_roles(world: World) -> None:
    account = await world.register()

    issued = await world.sign_in("ADA@example.com")

    principal = world.issuer.verify(issued.access_token)
    assert principal.account_id == account.id
    assert principal.roles == frozenset({"customer"})
    assert issued.expires_in == 900


async def test_an_unknown_email_and_a_wrong_password_fail_alike_after_one_verification(
    world: World,
) -> None:
    account = await world.register()

    with pytest.raises(AuthenticationError) as wrong_password:
        await world.sign_in("ada@example.com", "wrong password!")
    with pytest.raises(AuthenticationError) as unknown_email:
        await world.sign_in("nobody@example.com")

    assert str(wrong_password.value) == str(unknown_email.value) == WRONG_CREDENTIALS
    # The unknown email still cost a verification (against no hash), as the wrong password did.
    assert world.hasher.verified == [world.stored(account).password_hash, None]


async def test_repeated_failures_lock_the_email_even_for_the_right_password_until_the_window_ends(
    world: World,
) -> None:
    await world.register()
    for _ in range(ThrottlePolicy().failures_per_email):
        with pytest.raises(AuthenticationError):
            await world.sign_in("ada@example.com", "wrong password!")
    verifications = len(world.hasher.verified)

    with pytest.raises(RateLimitedError) as locked:
        await world.sign_in("ada@example.com")

    assert 0 < locked.value.retry_after <= ThrottlePolicy().window_seconds
    assert len(world.hasher.verified) == verifications  # a locked attempt costs no hash
    world.clock.advance(timedelta(seconds=locked.value.retry_after))
    assert await world.sign_in("ada@example.com")


async def test_a_successful_sign_in_forgives_earlier_failures_of_that_email(world: World) -> None:
    await world.register()
    allowed = ThrottlePolicy().failures_per_email
    for _ in range(allowed - 1):
        with pytest.raises(AuthenticationError):
            await world.sign_in("ada@example.com", "wrong password!")
    await world.sign_in("ada@example.com")

    for _ in range(allowed - 1):
        with pytest.raises(AuthenticationError):
            await world.sign_in("ada@example.com", "wrong password!")

    assert await world.sign_in("ada@example.com")


async def test_changing_details_keeps_what_is_not_sent_and_removes_an_address_sent_as_null(
    world: World,
) -> None:
    account = await world.register(shipping_address=an_address(), billing_address=an_address())

    await world.change(account, name="Ada King", billing_address=None)

    stored = world.stored(account)
    assert (stored.name, stored.shipping_address, stored.billing_address) == (
        "Ada King",
        an_address(),
        None,
    )
    assert [e.type for e in world.store.outbox] == ["AccountRegistered", "AccountDetailsChanged"]


async def test_a_new_password_needs_the_current_one(world: World) -> None:
    account = await world.register()

    with pytest.raises(DomainValidationError) as missing:
        await world.change(account, password="a brand new password")
    with pytest.raises(DomainValidationError) as wrong:
        await world.change(
            account, password="a brand new password", current_password="not the password"
        )

    assert missing.value.field == wrong.value.field == "current_password"
    assert await world.sign_in("ada@example.com")


async def test_after_a_password_change_only_the_new_password_signs_in(world: World) -> None:
    account = await world.register()

    await world.change(account, password="a brand new password", current_password=PASSWORD)

    assert await world.sign_in("ada@example.com", "a brand new password")
    with pytest.raises(AuthenticationError):
        await world.sign_in("ada@example.com", PASSWORD)
    assert [e.type for e in world.store.outbox] == ["AccountRegistered", "PasswordChanged"]


async def test_a_new_password_revokes_every_other_token_of_the_account_but_the_one_used(
    world: World,
) -> None:
    account = await world.register()
    await world.register("grace@example.com")
    laptop, phone, grace = (
        await world.principal(),
        await world.principal(),
        await world.principal("grace@example.com"),
    )
    world.clock.advance(timedelta(seconds=1))

    await world.change(
        account,
        token_id=laptop.token_id,
        password="a brand new password",
        current_password=PASSWORD,
    )

    world.clock.advance(timedelta(seconds=1))
    fresh = world.issuer.verify(
        (await world.sign_in("ada@example.com", "a brand new password")).access_token
    )
    assert await world.revocations.is_revoked(phone)
    assert not await world.revocations.is_revoked(laptop)
    assert not await world.revocations.is_revoked(grace)
    assert not await world.revocations.is_revoked(fresh)


class UnreachableRevocations(InMemoryTokenRevocations):
    async def revoke_others(self, account_id: uuid.UUID, keep: str, issued_until: object) -> None:
        raise DependencyUnavailableError("redis")


async def test_a_password_change_whose_revocations_cannot_be_recorded_changes_nothing(
    world: World,
) -> None:
    account = await world.register()
    world.revocations = UnreachableRevocations(world.clock, token_lifetime=900)

    with pytest.raises(DependencyUnavailableError):
        await world.change(account, password="a brand new password", current_password=PASSWORD)

    assert await world.sign_in("ada@example.com", PASSWORD)
    assert [e.type for e in world.store.outbox] == ["AccountRegistered"]


async def test_a_refused_password_change_revokes_nothing(world: World) -> None:
    account = await world.register()
    laptop, phone = await world.principal(), await world.principal()

    with pytest.raises(DomainValidationError):
        await world.change(
            account,
            token_id=laptop.token_id,
            password="a brand new password",
            current_password="guess",
        )
    await world.change(account, token_id=laptop.token_id, name="Ada King")

    assert not await world.revocations.is_revoked(phone)


async def test_guessing_the_current_password_is_throttled_like_signing_in(world: World) -> None:
    account = await world.register()
    for _ in range(ThrottlePolicy().failures_per_email):
        with pytest.raises(DomainValidationError):
            await world.change(account, password="a brand new password", current_password="guess")

    with pytest.raises(RateLimitedError):
        await world.change(account, password="a brand new password", current_password=PASSWORD)


async def test_a_saved_payment_method_keeps_its_token_and_can_be_removed(world: World) -> None:
    account = await world.register()
    command = AddPaymentMethod(
        account_id=account.id,
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2030,
        token="tok_visa",
    )

    saved = await add_payment_method(command, world.uow(), world.clock)
    assert world.stored(account).payment_methods == [saved.method]
    assert saved.method.token == "tok_visa"

    removal = RemovePaymentMethod(account_id=account.id, payment_method_id=saved.method.id)
    removed = await remove_payment_method(removal, world.uow())
    assert world.stored(account).payment_methods == []
    assert len(removed.event_ids) == 1
    with pytest.raises(NotFoundError):
        await remove_payment_method(removal, world.uow())


async def test_a_card_number_sent_as_a_token_is_neither_stored_nor_recorded(world: World) -> None:
    account = await world.register()
    command = AddPaymentMethod(
        account_id=account.id,
        brand="visa",
        last4="1111",
        exp_month=12,
        exp_year=2030,
        token="4111 1111 1111 1111",
    )

    with pytest.raises(DomainValidationError) as refused:
        await add_payment_method(command, world.uow(), world.clock)

    assert refused.value.field == "token"
    assert world.stored(account).payment_methods == []
    assert "4111" not in msgspec.json.encode(world.store.outbox).decode()


async def test_staff_accounts_get_staff_roles_only(world: World) -> None:
    command = CreateStaffAccount(
        email="ops@example.com", password=PASSWORD, name="Ops", roles=frozenset({"operator"})
    )
    created = await create_staff_account(command, world.uow(), world.hasher, world.clock)

    assert world.stored(created.account).roles == frozenset({"operator"})
    for roles in (frozenset({"customer"}), frozenset()):
        with pytest.raises(DomainValidationError):
            await create_staff_account(
                msgspec.structs.replace(command, email="x@example.com", roles=roles),
                world.uow(),
                world.hasher,
                world.clock,
            )
