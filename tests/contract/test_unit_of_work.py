"""The unit-of-work contract, held by the in-memory twin and by PostgreSQL alike."""

import uuid

import pytest

from commerce.domain.catalog import DuplicateSkuError, Variant
from commerce.domain.errors import ConcurrencyError, NotFoundError
from commerce.domain.inventory import StockItem
from tests.contract.conftest import Storage
from tests.support import eur, kettle_details, new_product


async def test_a_committed_product_loads_back_with_its_variants_and_version(
    storage: Storage,
) -> None:
    product = new_product("KT-1", "KT-2")
    async with storage.new_uow() as uow:
        uow.products.add(product)
        await uow.commit()

    async with storage.new_uow() as uow:
        loaded = await uow.products.get(product.id)

    assert loaded.details == product.details
    assert loaded.variants == product.variants
    assert loaded.version == 1


async def test_leaving_without_commit_writes_nothing_and_records_no_event(
    storage: Storage,
) -> None:
    product = new_product("KT-1")
    async with storage.new_uow() as uow:
        uow.products.add(product)

    async with storage.new_uow() as uow:
        with pytest.raises(NotFoundError):
            await uow.products.get(product.id)
    assert await storage.outbox() == []


async def test_commit_writes_each_event_to_the_outbox_with_the_version_it_produced(
    storage: Storage,
) -> None:
    product = new_product("KT-1")
    async with storage.new_uow() as uow:
        uow.products.add(product)
        uow.stock.add(StockItem.open("KT-1", product.id))
        event_ids = await uow.commit()
    async with storage.new_uow() as uow:
        loaded = await uow.products.get(product.id)
        loaded.reprice_variant("KT-1", eur(2499), "EUR")
        loaded.change_details(kettle_details(name="Quiet kettle"))
        event_ids += await uow.commit()

    written = await storage.outbox()
    assert [e.event_id for e in written] == event_ids
    assert [(e.type, e.aggregate_id, e.aggregate_version) for e in written] == [
        ("ProductCreated", str(product.id), 1),
        ("StockLevelChanged", "KT-1", 1),
        ("VariantRepriced", str(product.id), 2),
        ("ProductDetailsChanged", str(product.id), 3),
    ]
    assert written[2].payload["price"] == {"amount": 2499, "currency": "EUR"}
    assert all(e.occurred_at == storage.clock.now() for e in written)


async def test_events_leave_in_the_order_their_aggregates_were_added_across_repositories(
    storage: Storage,
) -> None:
    kettle, teapot = new_product("KT-1"), new_product("TP-1")
    async with storage.new_uow() as uow:
        for product, sku in ((kettle, "KT-1"), (teapot, "TP-1")):
            uow.products.add(product)
            uow.stock.add(StockItem.open(sku, product.id))
        await uow.commit()

    # Each product's stock right after it: one relay batch then holds a whole product.
    assert [(e.type, e.aggregate_id) for e in await storage.outbox()] == [
        ("ProductCreated", str(kettle.id)),
        ("StockLevelChanged", "KT-1"),
        ("ProductCreated", str(teapot.id)),
        ("StockLevelChanged", "TP-1"),
    ]


async def test_a_stale_copy_cannot_overwrite_a_newer_change(storage: Storage) -> None:
    product = new_product("KT-1")
    async with storage.new_uow() as uow:
        uow.products.add(product)
        await uow.commit()

    async with storage.new_uow() as first, storage.new_uow() as second:
        mine = await first.products.get(product.id)
        theirs = await second.products.get(product.id)
        mine.reprice_variant("KT-1", eur(1000), "EUR")
        await first.commit()
        theirs.reprice_variant("KT-1", eur(5000), "EUR")
        with pytest.raises(ConcurrencyError):
            await second.commit()

    async with storage.new_uow() as uow:
        assert (await uow.products.get(product.id)).variant("KT-1").price == eur(1000)


async def test_a_sku_belongs_to_one_product_only(storage: Storage) -> None:
    async with storage.new_uow() as uow:
        uow.products.add(new_product("KT-1"))
        await uow.commit()

    clash = new_product("KT-2", "KT-1")
    async with storage.new_uow() as uow:
        uow.products.add(clash)
        with pytest.raises(DuplicateSkuError, match="KT-1"):
            await uow.commit()

    async with storage.new_uow() as uow:
        with pytest.raises(NotFoundError):
            await uow.products.get(clash.id)


async def test_new_products_committed_together_fail_together_on_a_taken_sku(
    storage: Storage,
) -> None:
    async with storage.new_uow() as uow:
        uow.products.add(new_product("KT-1"))
        await uow.commit()
    before = await storage.outbox()

    fine, clash = new_product("KT-2", "KT-3"), new_product("KT-4", "KT-1")
    async with storage.new_uow() as uow:
        for product in (fine, clash):
            uow.products.add(product)
            for variant in product.variants:
                uow.stock.add(StockItem.open(variant.sku, product.id, on_hand=3))
        with pytest.raises(DuplicateSkuError, match="KT-1"):
            await uow.commit()

    async with storage.new_uow() as uow:
        assert await uow.products.owners(["KT-2", "KT-3", "KT-4"]) == {}
        with pytest.raises(NotFoundError):
            await uow.stock.get("KT-2")
    assert await storage.outbox() == before


async def test_two_new_products_may_not_share_a_sku_in_one_commit(storage: Storage) -> None:
    async with storage.new_uow() as uow:
        uow.products.add(new_product("KT-1", "KT-2"))
        uow.products.add(new_product("KT-2"))
        with pytest.raises(DuplicateSkuError, match="KT-2"):
            await uow.commit()

    assert await storage.outbox() == []


async def test_owners_are_the_products_holding_the_skus_asked_for(storage: Storage) -> None:
    kettle, grinder = new_product("KT-1", "KT-2"), new_product("GR-1")
    async with storage.new_uow() as uow:
        uow.products.add(kettle)
        uow.products.add(grinder)
        await uow.commit()

    async with storage.new_uow() as uow:
        owners = await uow.products.owners(["KT-2", "GR-1", "NOPE-1"])

    assert sorted(owners) == ["GR-1", "KT-2"]
    assert owners["KT-2"].id == kettle.id
    assert [v.sku for v in owners["KT-2"].variants] == ["KT-1", "KT-2"]
    assert owners["KT-2"].details == kettle.details
    assert owners["GR-1"].id == grinder.id


async def test_a_variant_added_later_may_not_take_another_products_sku(storage: Storage) -> None:
    first, second = new_product("KT-1"), new_product("KT-2")
    async with storage.new_uow() as uow:
        uow.products.add(first)
        uow.products.add(second)
        await uow.commit()

    async with storage.new_uow() as uow:
        loaded = await uow.products.get(second.id)
        loaded.add_variant(Variant(sku="KT-1", price=eur(100)), "EUR")
        with pytest.raises(DuplicateSkuError):
            await uow.commit()


async def test_stock_levels_round_trip_and_unknown_skus_are_not_found(storage: Storage) -> None:
    product = new_product("KT-1")
    async with storage.new_uow() as uow:
        uow.products.add(product)
        uow.stock.add(StockItem.open("KT-1", product.id))
        await uow.commit()
    async with storage.new_uow() as uow:
        item = await uow.stock.get("KT-1")
        item.set_counted(7)
        item.adjust(-2, "damaged")
        await uow.commit()

    async with storage.new_uow() as uow:
        item = await uow.stock.get("KT-1")
        assert (item.on_hand, item.reserved, item.available, item.version) == (5, 0, 5, 3)
        with pytest.raises(NotFoundError):
            await uow.stock.get(f"NOPE-{uuid.uuid4().hex[:6]}")
