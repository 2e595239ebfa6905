"""The sales side of the unit-of-work contract: saving and loading sales, the ones due for the
scheduler, and the ones in force for some products, held by the in-memory twin and by
PostgreSQL alike."""

import uuid
from datetime import timedelta

import pytest

from commerce.domain.errors import ConcurrencyError, NotFoundError
from commerce.domain.pricing import ProductRef, Sale, SaleTargets
from tests.contract.conftest import Storage
from tests.pricing import DAY, a_sale, amount, percent

HOUR = timedelta(hours=1)


def a_product(category: str = "kitchen/kettles", brand: str = "Acme") -> ProductRef:
    return ProductRef(product_id=uuid.uuid4(), category=category, brand=brand)


async def saved(storage: Storage, *sales: Sale) -> None:
    async with storage.new_uow() as uow:
        for sale in sales:
            uow.sales.add(sale)
        await uow.commit()


async def test_a_saved_sale_loads_back_with_its_terms_products_and_version(
    storage: Storage,
) -> None:
    named = frozenset(uuid.uuid4() for _ in range(3))
    sale = a_sale(
        percent(15),
        SaleTargets(product_ids=named, categories=("kitchen",), brands=("Acme",)),
        starts_at=storage.clock.now() + HOUR,
    )
    await saved(storage, sale)

    async with storage.new_uow() as uow:
        loaded = await uow.sales.get(sale.id)
        with pytest.raises(NotFoundError):
            await uow.sales.get(uuid.uuid4())

    assert loaded.terms == sale.terms
    assert (loaded.version, loaded.created_at, loaded.started) == (1, sale.created_at, False)
    assert [e.type for e in await storage.outbox()] == ["SaleCreated"]


async def test_two_changes_of_one_sale_at_once_do_not_both_win(storage: Storage) -> None:
    sale = a_sale(percent(10))
    await saved(storage, sale)
    now = storage.clock.now()

    async with storage.new_uow() as first, storage.new_uow() as second:
        (await first.sales.get(sale.id)).catch_up(now)
        (await second.sales.get(sale.id)).catch_up(now)
        await first.commit()
        with pytest.raises(ConcurrencyError):
            await second.commit()

    assert [e.type for e in await storage.outbox()] == ["SaleCreated", "SaleStarted"]


async def test_a_sale_is_due_for_its_start_then_for_its_end_then_never_again(
    storage: Storage,
) -> None:
    now = storage.clock.now()
    later = a_sale(amount(100), starts_at=now + HOUR, ends_at=now + 2 * HOUR)
    soon = a_sale(amount(100), starts_at=now + HOUR / 2, ends_at=now + DAY)
    await saved(storage, later, soon)

    async def due(at: timedelta) -> list[uuid.UUID]:
        async with storage.new_uow() as uow:
            return await uow.sales.due(now + at, 10)

    assert await due(0 * HOUR) == []
    assert await due(HOUR) == [soon.id, later.id]
    assert await due(HOUR) == [soon.id, later.id]  # nothing recorded yet: still due
    async with storage.new_uow() as uow:
        (await uow.sales.get(later.id)).catch_up(now + HOUR)
        await uow.commit()
    assert await due(HOUR) == [soon.id]
    assert await due(2 * HOUR) == [soon.id, later.id]
    async with storage.new_uow() as uow:
        (await uow.sales.get(later.id)).catch_up(now + 2 * HOUR)
        await uow.commit()
    assert await due(3 * DAY) == [soon.id]


async def test_the_sales_in_force_for_some_products_pick_them_by_id_category_or_brand(
    storage: Storage,
) -> None:
    now = storage.clock.now()
    kettle, phone, lamp = a_product(), a_product("electronics/phones", "Fone"), a_product("home")
    by_id = a_sale(percent(10), SaleTargets(product_ids=frozenset({lamp.product_id})))
    by_category = a_sale(percent(20), SaleTargets(categories=("electronics",)))
    by_brand = a_sale(percent(30), SaleTargets(brands=(" ACME ",)))
    elsewhere = a_sale(percent(40), SaleTargets(categories=("garden",)))
    await saved(storage, by_id, by_category, by_brand, elsewhere)

    async with storage.new_uow() as uow:
        found = await uow.sales.in_force(now, [kettle, phone, lamp])
        none = await uow.sales.in_force(now, [])

    expected = sorted([by_id, by_category, by_brand], key=lambda sale: sale.id)
    assert [sale.id for sale in found] == [sale.id for sale in expected]
    assert none == []


async def test_a_sale_is_in_force_only_from_its_start_until_its_end_unless_deleted(
    storage: Storage,
) -> None:
    now = storage.clock.now()
    kettle = a_product()
    window = a_sale(percent(10), starts_at=now + HOUR, ends_at=now + 2 * HOUR)
    deleted = a_sale(percent(10))
    deleted.delete(now)
    await saved(storage, window, deleted)

    async def in_force(at: timedelta) -> list[uuid.UUID]:
        async with storage.new_uow() as uow:
            return [sale.id for sale in await uow.sales.in_force(now + at, [kettle])]

    assert [await in_force(at) for at in (0 * HOUR, HOUR, 2 * HOUR)] == [[], [window.id], []]


async def test_a_sale_in_force_names_only_the_products_asked_about(storage: Storage) -> None:
    asked, other = a_product("toys"), a_product("toys")
    named = frozenset({asked.product_id, other.product_id} | {uuid.uuid4() for _ in range(500)})
    sale = a_sale(percent(10), SaleTargets(product_ids=named))
    await saved(storage, sale)

    async with storage.new_uow() as uow:
        (found,) = await uow.sales.in_force(storage.clock.now(), [asked])

    assert found.terms.applies_to.product_ids == {asked.product_id}
    assert found.terms.applies_to.covers(asked)
    assert found.terms.discount == sale.terms.discount
