"""The demo catalogue is varied, valid and goes through the unit of work."""

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.entrypoints.seed import KINDS, seed_catalog


async def test_seeding_writes_valid_products_with_stock_and_their_events() -> None:
    store, clock = InMemoryStore(), FixedClock()

    written = await seed_catalog(
        lambda: InMemoryUnitOfWork(store, clock),
        clock,
        60,
        currency="EUR",
        seed=7,
        image_base_url="http://shop.local",
        batch=25,
    )

    products = list(store.products.values())
    skus = [v.sku for p in products for v in p.variants]
    assert written == len(products) == 60
    assert sorted(skus) == sorted(store.stock)
    assert len({p.details.brand for p in products}) > 5
    assert len({p.details.category for p in products}) > 4
    assert {p.details.category for p in products} <= {k.category for k in KINDS}
    assert any(item.on_hand == 0 for item in store.stock.values())
    assert any(item.on_hand > 0 for item in store.stock.values())
    assert [e.type for e in store.outbox].count("ProductCreated") == 60


async def test_the_same_seed_gives_the_same_catalogue_and_another_seed_another() -> None:
    first, second, other = InMemoryStore(), InMemoryStore(), InMemoryStore()
    clock = FixedClock()
    for store, seed in ((first, 1), (second, 1), (other, 2)):
        await seed_catalog(
            lambda store=store: InMemoryUnitOfWork(store, clock),
            clock,
            10,
            currency="EUR",
            seed=seed,
            image_base_url="http://shop.local",
        )

    def catalogue(store: InMemoryStore) -> list[str]:
        return sorted(p.details.name for p in store.products.values())

    assert catalogue(first) == catalogue(second)
    assert catalogue(first) != catalogue(other)
