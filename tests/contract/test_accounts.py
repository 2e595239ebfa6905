"""The account repository and the own-profile query, held by the in-memory twins and by
PostgreSQL alike."""

import uuid

import msgspec
import pytest

from commerce.domain.account import DuplicateEmailError
from commerce.domain.errors import ConcurrencyError, NotFoundError
from commerce.ports.accounts import PaymentMethodSummary
from tests.contract.conftest import Storage
from tests.support import NOW, a_card, an_address, new_account


async def test_a_committed_account_loads_back_by_id_and_by_email_in_any_letter_case(
    storage: Storage,
) -> None:
    account = new_account("Ada@Example.com")
    card = a_card()
    account.add_payment_method(card, NOW)
    async with storage.new_uow() as uow:
        uow.accounts.add(account)
        await uow.commit()

    async with storage.new_uow() as uow:
        by_id = await uow.accounts.get(account.id)
        by_email = await uow.accounts.get_by_email("  ADA@example.COM ")

    for loaded in (by_id, by_email):
        assert loaded.id == account.id
        assert loaded.email == "ada@example.com"
        assert loaded.password_hash == "not-a-real-hash"
        assert loaded.roles == frozenset({"customer"})
        assert loaded.shipping_address == an_address()
        assert loaded.billing_address is None
        assert loaded.payment_methods == [card]
        assert loaded.version == 2


async def test_an_email_taken_in_another_letter_case_is_refused_and_nothing_is_written(
    storage: Storage,
) -> None:
    async with storage.new_uow() as uow:
        uow.accounts.add(new_account("grace@example.com"))
        await uow.commit()
    events_before = len(await storage.outbox())

    twin = new_account("GRACE@example.com")
    async with storage.new_uow() as uow:
        uow.accounts.add(twin)
        with pytest.raises(DuplicateEmailError):
            await uow.commit()

    async with storage.new_uow() as uow:
        with pytest.raises(NotFoundError):
            await uow.accounts.get(twin.id)
    assert len(await storage.outbox()) == events_before


async def test_unknown_ids_and_emails_are_not_found(storage: Storage) -> None:
    async with storage.new_uow() as uow:
        with pytest.raises(NotFoundError):
            await uow.accounts.get(uuid.uuid4())
        with pytest.raises(NotFoundError):
            await uow.accounts.get_by_email("nobody@example.com")
    with pytest.raises(NotFoundError):
        await storage.account_profiles.get(uuid.uuid4())


async def test_account_events_reach_the_outbox_without_the_password_hash_or_the_token(
    storage: Storage,
) -> None:
    account = new_account()
    async with storage.new_uow() as uow:
        uow.accounts.add(account)
        await uow.commit()
    async with storage.new_uow() as uow:
        loaded = await uow.accounts.get(account.id)
        loaded.change_password("another-secret-hash", NOW)
        loaded.add_payment_method(a_card(token="tok_secret_reference"), NOW)
        loaded.change_details(name="Ada King", shipping_address=None, billing_address=None)
        await uow.commit()

    written = await storage.outbox()
    assert [(e.type, e.aggregate_type, e.aggregate_version) for e in written] == [
        ("AccountRegistered", "account", 1),
        ("PasswordChanged", "account", 2),
        ("PaymentMethodAdded", "account", 3),
        ("AccountDetailsChanged", "account", 4),
    ]
    everything = msgspec.json.encode([e.payload for e in written]).decode()
    assert "hash" not in everything
    assert "tok_secret_reference" not in everything
    assert written[0].payload["email"] == "ada@example.com"


async def test_a_stale_account_copy_cannot_overwrite_a_newer_change(storage: Storage) -> None:
    account = new_account()
    async with storage.new_uow() as uow:
        uow.accounts.add(account)
        await uow.commit()

    async with storage.new_uow() as first, storage.new_uow() as second:
        mine = await first.accounts.get(account.id)
        theirs = await second.accounts.get(account.id)
        mine.change_details(name="Mine", shipping_address=None, billing_address=None)
        await first.commit()
        theirs.change_details(name="Theirs", shipping_address=None, billing_address=None)
        with pytest.raises(ConcurrencyError):
            await second.commit()

    assert (await storage.account_profiles.get(account.id)).name == "Mine"


async def test_the_profile_shows_each_commit_at_once_and_never_the_token(
    storage: Storage,
) -> None:
    account = new_account(roles=frozenset({"operator", "admin"}))
    async with storage.new_uow() as uow:
        uow.accounts.add(account)
        await uow.commit()
    first, second = a_card(last4="1111"), a_card(brand="mastercard", last4="2222")

    async with storage.new_uow() as uow:
        loaded = await uow.accounts.get(account.id)
        loaded.add_payment_method(first, NOW)
        loaded.add_payment_method(second, NOW)
        await uow.commit()
    with_both = await storage.account_profiles.get(account.id)
    async with storage.new_uow() as uow:
        loaded = await uow.accounts.get(account.id)
        loaded.remove_payment_method(first.id)
        await uow.commit()
    with_one = await storage.account_profiles.get(account.id)

    assert with_both.email == "ada@example.com"
    assert with_both.roles == ["admin", "operator"]
    assert with_both.shipping_address == an_address()
    assert [m.last4 for m in with_both.payment_methods] == ["1111", "2222"]
    assert with_one.payment_methods == [PaymentMethodSummary.of(second)]
    assert "token" not in msgspec.structs.asdict(with_one.payment_methods[0])
