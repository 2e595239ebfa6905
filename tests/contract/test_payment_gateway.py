"""The payment gateway's contract, held by the in-memory twin and the PostgreSQL sandbox alike."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Protocol

import pytest

from commerce.adapters.memory.payment_gateway import InMemoryPaymentGateway
from commerce.adapters.payments.ledger import GatewayLedger
from commerce.adapters.payments.sandbox import SandboxPaymentGateway
from commerce.adapters.postgres.engine import create_engine
from commerce.domain.values import Money
from commerce.ports.payment_gateway import (
    ChargeOutcome,
    GatewayRefusedError,
    GatewayTimeoutError,
    PaymentGateway,
    RefundOutcome,
)


class InspectableGateway(PaymentGateway, Protocol):
    async def ledger(self) -> GatewayLedger: ...


def eur(amount: int) -> Money:
    return Money(amount, "EUR")


def new_key() -> str:
    return str(uuid.uuid4())


@pytest.fixture(params=["memory", "postgres"])
async def gateway(request: pytest.FixtureRequest) -> AsyncIterator[InspectableGateway]:
    if request.param == "memory":
        yield InMemoryPaymentGateway()
        return
    engine = create_engine(request.getfixturevalue("database_url"))
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("DELETE FROM sandbox_refunds")
            await connection.exec_driver_sql("DELETE FROM sandbox_charges")
        yield SandboxPaymentGateway(engine)
    finally:
        await engine.dispose()


async def charged(gateway: PaymentGateway, amount: Money) -> str:
    key = new_key()
    assert (await gateway.charge(key, amount, "tok_visa")).succeeded
    return key


async def refund_or_refusal(
    gateway: PaymentGateway, key: str, charge_key: str, amount: Money
) -> RefundOutcome | GatewayRefusedError:
    try:
        return await gateway.refund(key, charge_key, amount)
    except GatewayRefusedError as refusal:
        return refusal


async def test_a_visa_card_is_charged_and_the_charge_carries_the_gateways_reference(
    gateway: InspectableGateway,
) -> None:
    key = new_key()

    outcome = await gateway.charge(key, eur(1250), "tok_visa")

    assert outcome.succeeded
    assert outcome.charge_id
    assert outcome.failure_reason is None
    assert await gateway.lookup(key) == outcome
    ledger = await gateway.ledger()
    assert [(c.key, c.token, c.amount) for c in ledger.charges] == [(key, "tok_visa", eur(1250))]
    assert ledger.captured(key) == 1250


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("tok_declined", "card_declined"),
        ("tok_insufficient_funds", "insufficient_funds"),
        ("tok_who_knows", "invalid_token"),
        ("", "invalid_token"),
    ],
)
async def test_a_declined_card_is_an_outcome_with_its_reason_and_captures_nothing(
    gateway: InspectableGateway, token: str, reason: str
) -> None:
    key = new_key()

    outcome = await gateway.charge(key, eur(500), token)

    assert outcome == ChargeOutcome(succeeded=False, charge_id=None, failure_reason=reason)
    assert await gateway.lookup(key) == outcome
    assert (await gateway.ledger()).captured(key) == 0


async def test_charging_again_with_a_key_answers_the_first_outcome_and_charges_nothing_more(
    gateway: InspectableGateway,
) -> None:
    paid, declined = new_key(), new_key()
    first_paid = await gateway.charge(paid, eur(700), "tok_visa")
    first_declined = await gateway.charge(declined, eur(700), "tok_declined")

    # The retries differ in amount and token: the key alone decides.
    assert await gateway.charge(paid, eur(9999), "tok_declined") == first_paid
    assert await gateway.charge(declined, eur(700), "tok_visa") == first_declined

    ledger = await gateway.ledger()
    assert sorted(c.key for c in ledger.charges) == sorted([paid, declined])
    assert ledger.captured(paid) == 700
    assert ledger.captured(declined) == 0


async def test_twenty_concurrent_charges_with_one_key_make_one_ledger_entry_and_one_answer(
    gateway: InspectableGateway,
) -> None:
    key = new_key()

    outcomes = await asyncio.gather(*(gateway.charge(key, eur(300), "tok_visa") for _ in range(20)))

    assert len(set(outcomes)) == 1
    assert outcomes[0].succeeded
    ledger = await gateway.ledger()
    assert [c.key for c in ledger.charges] == [key]
    assert ledger.captured(key) == 300


async def test_a_timed_out_charge_is_captured_found_by_lookup_and_a_retry_charges_nothing_more(
    gateway: InspectableGateway,
) -> None:
    key = new_key()

    with pytest.raises(GatewayTimeoutError):
        await gateway.charge(key, eur(4200), "tok_timeout")

    looked_up = await gateway.lookup(key)
    assert looked_up is not None
    assert looked_up.succeeded
    assert looked_up.charge_id
    assert await gateway.charge(key, eur(4200), "tok_timeout") == looked_up
    ledger = await gateway.ledger()
    assert [c.key for c in ledger.charges] == [key]
    assert ledger.captured(key) == 4200


async def test_looking_up_a_key_the_gateway_never_saw_answers_none(
    gateway: InspectableGateway,
) -> None:
    await charged(gateway, eur(100))

    assert await gateway.lookup(new_key()) is None


async def test_a_non_positive_charge_is_the_callers_bug_and_records_nothing(
    gateway: InspectableGateway,
) -> None:
    key = new_key()

    with pytest.raises(ValueError, match="positive"):
        await gateway.charge(key, eur(0), "tok_visa")

    assert await gateway.lookup(key) is None


async def test_partial_refunds_add_up_to_the_captured_amount_and_not_a_cent_more(
    gateway: InspectableGateway,
) -> None:
    charge = await charged(gateway, eur(1000))

    first = await gateway.refund(new_key(), charge, eur(300))
    second = await gateway.refund(new_key(), charge, eur(700))
    with pytest.raises(GatewayRefusedError) as refusal:
        await gateway.refund(new_key(), charge, eur(1))

    assert refusal.value.reason == "exceeds_captured"
    assert (first.amount, second.amount) == (eur(300), eur(700))
    assert first.refund_id != second.refund_id
    assert (await gateway.ledger()).refunded(charge) == 1000


async def test_a_refund_above_the_captured_amount_is_refused_and_records_nothing(
    gateway: InspectableGateway,
) -> None:
    charge, key = await charged(gateway, eur(1000)), new_key()

    with pytest.raises(GatewayRefusedError) as refusal:
        await gateway.refund(key, charge, eur(1001))

    assert refusal.value.reason == "exceeds_captured"
    assert (await gateway.ledger()).refunds == ()
    # The refused key is not spent: a valid refund may still use it.
    assert (await gateway.refund(key, charge, eur(1000))).amount == eur(1000)


async def test_refunding_again_with_a_key_answers_the_first_refund_and_refunds_nothing_more(
    gateway: InspectableGateway,
) -> None:
    charge, key = await charged(gateway, eur(1000)), new_key()

    first = await gateway.refund(key, charge, eur(400))
    again = await gateway.refund(key, charge, eur(400))
    different = await gateway.refund(key, charge, eur(600))

    assert first == again == different
    ledger = await gateway.ledger()
    assert [r.key for r in ledger.refunds] == [key]
    assert ledger.refunded(charge) == 400


async def test_concurrent_refunds_with_one_key_refund_once(gateway: InspectableGateway) -> None:
    charge, key = await charged(gateway, eur(1000)), new_key()

    outcomes = await asyncio.gather(*(gateway.refund(key, charge, eur(250)) for _ in range(20)))

    assert len(set(outcomes)) == 1
    assert (await gateway.ledger()).refunded(charge) == 250


async def test_concurrent_refunds_never_exceed_the_captured_amount(
    gateway: InspectableGateway,
) -> None:
    charge = await charged(gateway, eur(1000))

    results = await asyncio.gather(
        *(refund_or_refusal(gateway, new_key(), charge, eur(150)) for _ in range(20))
    )

    refunds = [r for r in results if isinstance(r, RefundOutcome)]
    refusals = [r for r in results if isinstance(r, GatewayRefusedError)]
    assert len(refunds) == 6
    assert {r.reason for r in refusals} == {"exceeds_captured"}
    assert len(refusals) == 14
    assert (await gateway.ledger()).refunded(charge) == 900


async def test_a_refund_of_a_declined_or_unknown_charge_is_refused(
    gateway: InspectableGateway,
) -> None:
    declined = new_key()
    await gateway.charge(declined, eur(1000), "tok_declined")

    for charge in (declined, new_key()):
        with pytest.raises(GatewayRefusedError) as refusal:
            await gateway.refund(new_key(), charge, eur(100))
        assert refusal.value.reason == "not_captured"
    assert (await gateway.ledger()).refunds == ()


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        (Money(100, "USD"), "currency_mismatch"),
        (Money(0, "EUR"), "invalid_amount"),
        (Money(-5, "EUR"), "invalid_amount"),
    ],
)
async def test_a_refund_in_another_currency_or_of_no_money_is_refused(
    gateway: InspectableGateway, amount: Money, reason: str
) -> None:
    charge = await charged(gateway, eur(1000))

    with pytest.raises(GatewayRefusedError) as refusal:
        await gateway.refund(new_key(), charge, amount)

    assert refusal.value.reason == reason
    assert (await gateway.ledger()).refunds == ()


async def test_a_request_lost_on_its_way_to_the_twin_is_unknown_and_its_retry_acts_once() -> None:
    gateway, key = InMemoryPaymentGateway(), new_key()
    gateway.time_out_next(2)

    with pytest.raises(GatewayTimeoutError):
        await gateway.charge(key, eur(800), "tok_visa")
    assert await gateway.lookup(key) is None
    with pytest.raises(GatewayTimeoutError):
        await gateway.charge(key, eur(800), "tok_visa")

    outcome = await gateway.charge(key, eur(800), "tok_visa")
    assert outcome.succeeded
    assert await gateway.charge(key, eur(800), "tok_visa") == outcome
    assert len((await gateway.ledger()).charges) == 1


async def test_a_charge_that_timed_out_in_one_process_is_found_by_another(
    database_url: str,
) -> None:
    api, scheduler = create_engine(database_url), create_engine(database_url)
    key = new_key()
    try:
        with pytest.raises(GatewayTimeoutError):
            await SandboxPaymentGateway(api).charge(key, eur(990), "tok_timeout")

        outcome = await SandboxPaymentGateway(scheduler).lookup(key)
    finally:
        await api.dispose()
        await scheduler.dispose()

    assert outcome is not None
    assert outcome.succeeded


async def test_an_unreachable_sandbox_is_a_timeout_whose_outcome_is_unknown() -> None:
    engine = create_engine("postgresql://nobody:nothing@127.0.0.1:1/nowhere")
    gateway = SandboxPaymentGateway(engine)
    try:
        with pytest.raises(GatewayTimeoutError):
            await gateway.charge(new_key(), eur(100), "tok_visa")
        with pytest.raises(GatewayTimeoutError):
            await gateway.lookup(new_key())
        with pytest.raises(GatewayTimeoutError):
            await gateway.refund(new_key(), new_key(), eur(100))
    finally:
        await engine.dispose()
