"""The account aggregate: its rules and the events it records."""

import uuid
from collections.abc import Callable

import msgspec
import pytest

from commerce.adapters.envelopes import envelopes_for
from commerce.domain.account import (
    Account,
    AccountDetailsChanged,
    AccountRegistered,
    PasswordChanged,
    PaymentMethodAdded,
    PaymentMethodRemoved,
    check_email,
    check_password,
    check_staff_roles,
    find_card_number,
)
from commerce.domain.errors import ConflictError, DomainValidationError, NotFoundError
from commerce.domain.event_types import EVENTS
from commerce.domain.values import Address
from tests.support import NOW, a_card, an_address, new_account


def events_of(account: Account) -> list[object]:
    return [event for _, event in account.pull_events()]


def test_registering_lower_cases_the_email_and_records_no_password_hash() -> None:
    account = new_account(" Ada.Lovelace@Example.COM ")

    [registered] = events_of(account)

    assert account.email == "ada.lovelace@example.com"
    assert registered == AccountRegistered(
        account_id=account.id,
        email="ada.lovelace@example.com",
        name="Ada Lovelace",
        roles=["customer"],
        shipping_address=an_address(),
        billing_address=None,
        registered_at=NOW,
    )
    assert "hash" not in msgspec.json.encode(registered).decode()


@pytest.mark.parametrize(
    "email", ["", "ada", "ada@", "@example.com", "ada@example", "a da@example.com", "ädä@x.de"]
)
def test_a_malformed_email_is_refused_naming_the_email_field(email: str) -> None:
    with pytest.raises(DomainValidationError) as refused:
        check_email(email)

    assert refused.value.field == "email"


@pytest.mark.parametrize("password", ["", "short", "nine-char"])
def test_a_password_shorter_than_ten_characters_is_refused(password: str) -> None:
    with pytest.raises(DomainValidationError) as refused:
        check_password(password)

    assert refused.value.field == "password"
    assert check_password("ten-chars!") == "ten-chars!"


def test_an_account_needs_known_roles_and_staff_accounts_need_staff_roles() -> None:
    with pytest.raises(DomainValidationError):
        new_account(roles=frozenset({"overlord"}))
    with pytest.raises(DomainValidationError):
        new_account(roles=frozenset())
    for roles in ([], ["customer"], ["admin", "customer"]):
        with pytest.raises(DomainValidationError):
            check_staff_roles(roles)

    assert check_staff_roles(["operator", "admin"]) == frozenset({"operator", "admin"})


def test_changing_details_records_all_of_them_once_and_nothing_when_unchanged() -> None:
    account = new_account()
    account.pull_events()

    account.change_details(name=" Ada King ", shipping_address=None, billing_address=an_address())
    account.change_details(name="Ada King", shipping_address=None, billing_address=an_address())

    assert events_of(account) == [
        AccountDetailsChanged(
            account_id=account.id,
            name="Ada King",
            shipping_address=None,
            billing_address=an_address(),
        )
    ]
    assert account.version == 2


def test_a_blank_name_is_refused() -> None:
    with pytest.raises(DomainValidationError) as refused:
        new_account().change_details(name="  ", shipping_address=None, billing_address=None)

    assert refused.value.field == "name"


def test_changing_the_password_records_the_change_but_not_the_hash() -> None:
    account = new_account()
    account.pull_events()

    account.change_password("new-hash", NOW)

    assert account.password_hash == "new-hash"
    assert events_of(account) == [PasswordChanged(account_id=account.id, changed_at=NOW)]


def test_a_payment_method_is_kept_with_its_token_but_its_event_has_none() -> None:
    account = new_account()
    account.pull_events()
    card = a_card(token="tok_abc")

    account.add_payment_method(card, NOW)
    account.remove_payment_method(card.id)
    added, removed = events_of(account)

    assert added == PaymentMethodAdded(
        account_id=account.id,
        payment_method_id=card.id,
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2030,
    )
    assert removed == PaymentMethodRemoved(account_id=account.id, payment_method_id=card.id)
    assert account.payment_methods == []
    assert "tok_abc" not in repr(card)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("token", "4242424242424242"),
        ("token", "tok_4242 4242 4242 4242"),
        ("brand", "4242-4242-4242-4242"),
        ("token", "3782 822463 10005"),
    ],
)
def test_a_card_number_instead_of_a_token_is_refused_without_quoting_it(
    field: str, value: str
) -> None:
    account = new_account()

    with pytest.raises(DomainValidationError) as refused:
        account.add_payment_method(a_card(**{field: value}), NOW)

    assert refused.value.field == field
    assert not any(character.isdigit() for character in str(refused.value))
    assert account.payment_methods == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"exp_year": 2026, "exp_month": 10}, "exp_year"),
        ({"exp_month": 13}, "exp_month"),
        ({"last4": "42"}, "last4"),
        ({"brand": " "}, "brand"),
        ({"token": ""}, "token"),
    ],
)
def test_an_expired_or_malformed_card_is_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(DomainValidationError) as refused:
        new_account().add_payment_method(a_card(**changes), NOW)

    assert refused.value.field == field


def test_a_card_expiring_this_month_is_still_accepted() -> None:
    account = new_account()

    account.add_payment_method(a_card(exp_year=NOW.year, exp_month=NOW.month), NOW)

    assert len(account.payment_methods) == 1


def test_the_same_payment_method_cannot_be_saved_twice_and_an_unknown_one_is_not_found() -> None:
    account = new_account()
    card = a_card()
    account.add_payment_method(card, NOW)

    with pytest.raises(ConflictError):
        account.add_payment_method(card, NOW)
    with pytest.raises(NotFoundError):
        account.remove_payment_method(uuid.uuid4())


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"token": "4111111111111111"}, "token"),
        ({"token": "4111 1111 1111 1111"}, "token"),
        ({"note": {"lines": ["ok", "4111-1111-1111-1111"]}}, "note.lines[1]"),
        ({"4111111111111111": "as a key"}, "body"),
        ({"number": 4111111111111111}, "number"),
        ("5555555555554444", "body"),
    ],
)
def test_a_card_number_is_found_anywhere_in_a_document(document: object, path: str) -> None:
    assert find_card_number(document) == path


@pytest.mark.parametrize(
    "document",
    [
        {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030},
        {"token": "tok_visa", "phone": "+44 20 7946 0958"},
        {"digits": "123456789012"},  # 12 digits: too short for a card
        {"digits": "12345678901234567890"},  # 20 digits: too long
        {"flag": True},
    ],
)
def test_ordinary_values_are_not_taken_for_card_numbers(document: object) -> None:
    assert find_card_number(document) is None


def test_every_account_event_survives_the_outbox_round_trip() -> None:
    account = new_account()
    account.change_details(name="Ada King", shipping_address=None, billing_address=None)
    account.change_password("hash", NOW)
    card = a_card()
    account.add_payment_method(card, NOW)
    account.remove_payment_method(card.id)
    expected = list(account._pending)

    decoded = [EVENTS.decode(envelope) for envelope in envelopes_for(account, NOW)]

    assert decoded == expected


@pytest.mark.parametrize(
    ("field", "build"),
    [
        (
            "name",
            lambda: new_account().change_details(
                name="Ada\x00", shipping_address=None, billing_address=None
            ),
        ),
        ("brand", lambda: new_account().add_payment_method(a_card(brand="vi\x07sa"), NOW)),
        ("token", lambda: new_account().add_payment_method(a_card(token="tok\x00"), NOW)),
    ],
)
def test_control_characters_are_refused_in_names_and_card_fields(
    field: str, build: Callable[[], None]
) -> None:
    with pytest.raises(DomainValidationError) as refused:
        build()

    assert refused.value.field == field


def test_an_address_with_a_control_character_does_not_decode() -> None:
    fields = msgspec.to_builtins(an_address()) | {"line1": "12\x00 St James's Square"}

    with pytest.raises(msgspec.ValidationError, match="line1"):
        msgspec.convert(fields, Address)


def test_a_card_number_is_found_at_any_depth() -> None:
    document: object = "4111111111111111"
    for _ in range(5000):
        document = [document]

    assert find_card_number(document) == "[0]" * 5000
