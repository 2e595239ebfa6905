"""The promo code side of the unit-of-work contract, held by the in-memory twin and by
PostgreSQL alike: codes saved and read back, a code taken once, redemptions counted per
customer and given back, the last redemption won by one of two racing checkouts."""

import uuid

import pytest

from commerce.domain.errors import AlreadyExistsError, ConcurrencyError, NotFoundError
from commerce.domain.pricing import PromoCode
from tests.contract.conftest import Storage
from tests.pricing import a_code, amount, percent
from tests.support import NOW, eur


async def stored(storage: Storage, code: PromoCode) -> PromoCode:
    async with storage.new_uow() as uow:
        uow.promo_codes.add(code)
        await uow.commit()
    return code


async def redeem(storage: Storage, code: str, customer: uuid.UUID) -> uuid.UUID:
    order_id = uuid.uuid4()
    async with storage.new_uow() as uow:
        found = await uow.promo_codes.find_for(code, customer)
        assert found is not None
        promo, used = found
        promo.redeem(
            order_id=order_id,
            customer_id=customer,
            subtotal=eur(10_000),
            customer_redemptions=used,
            now=NOW,
        )
        await uow.commit()
    return order_id


async def uses(storage: Storage, code: str, customer: uuid.UUID | None) -> int:
    async with storage.new_uow() as uow:
        found = await uow.promo_codes.find_for(code, customer)
    assert found is not None
    return found[1]


async def test_a_code_reads_back_with_its_terms_and_its_event(storage: Storage) -> None:
    created = await stored(
        storage, a_code(amount(500), code="FIVE", min_subtotal=eur(2000), max_redemptions=3)
    )

    async with storage.new_uow() as uow:
        loaded = await uow.promo_codes.get("FIVE")
        missing = await uow.promo_codes.find_for("NONE", None)
        with pytest.raises(NotFoundError):
            await uow.promo_codes.get("NONE")

    assert (loaded.code, loaded.terms, loaded.redeemed, loaded.version) == (
        "FIVE",
        created.terms,
        0,
        1,
    )
    assert missing is None
    assert [e.type for e in await storage.outbox()] == ["PromoCodeCreated"]


async def test_a_code_is_taken_once_whatever_the_case_it_is_given_in(storage: Storage) -> None:
    await stored(storage, a_code(percent(10), code="summer"))

    with pytest.raises(AlreadyExistsError):
        await stored(storage, a_code(percent(20), code="SUMMER"))

    async with storage.new_uow() as uow:
        assert (await uow.promo_codes.get("SUMMER")).terms.discount == percent(10)


async def test_redemptions_are_counted_per_customer_and_a_returned_one_no_longer_counts(
    storage: Storage,
) -> None:
    await stored(storage, a_code(percent(10), code="MANY"))
    ada, bob = uuid.uuid4(), uuid.uuid4()
    first = await redeem(storage, "MANY", ada)
    await redeem(storage, "MANY", ada)
    await redeem(storage, "MANY", bob)

    async with storage.new_uow() as uow:
        promo = await uow.promo_codes.get("MANY")
        assert promo.give_back(order_id=first, customer_id=ada, now=NOW)
        await uow.commit()

    assert (await uses(storage, "MANY", ada), await uses(storage, "MANY", bob)) == (1, 1)
    assert await uses(storage, "MANY", None) == 0
    async with storage.new_uow() as uow:
        assert (await uow.promo_codes.get("MANY")).redeemed == 2


@pytest.mark.parametrize(
    ("limits", "same_customer"),
    [({"max_redemptions": 1}, False), ({"per_customer_limit": 1}, True)],
    ids=["the code's last use", "a customer's last use"],
)
async def test_two_checkouts_racing_for_the_last_redemption_do_not_both_win(
    storage: Storage, limits: dict[str, int], same_customer: bool
) -> None:
    await stored(storage, a_code(percent(10), code="LAST", **limits))
    ada = uuid.uuid4()
    bob = ada if same_customer else uuid.uuid4()
    async with storage.new_uow() as first, storage.new_uow() as second:
        for uow, customer in ((first, ada), (second, bob)):
            found = await uow.promo_codes.find_for("LAST", customer)
            assert found is not None
            found[0].redeem(
                order_id=uuid.uuid4(),
                customer_id=customer,
                subtotal=eur(5000),
                customer_redemptions=found[1],
                now=NOW,
            )
        await first.commit()
        with pytest.raises(ConcurrencyError):
            await second.commit()

    async with storage.new_uow() as uow:
        assert (await uow.promo_codes.get("LAST")).redeemed == 1
    assert await uses(storage, "LAST", ada) == 1
