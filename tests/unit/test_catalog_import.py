"""The catalogue import as a use case, on the in-memory unit of work: each line makes what
`POST /v1/admin/products` makes, bad lines are reported by number and never written, a rerun
skips what is imported, and a SKU taken meanwhile costs only its own line."""

import gc
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

import msgspec
import pytest

from commerce.adapters.memory.clock import FixedClock
from commerce.adapters.memory.unit_of_work import InMemoryStore, InMemoryUnitOfWork
from commerce.application.catalog import create_product
from commerce.application.catalog_import import ImportReport, import_products
from commerce.entrypoints.catalog_import import collecting_rarely, read_lines
from commerce.entrypoints.http.catalog import ProductBody
from tests.support import kettle_body

CLOCK = FixedClock()


def jsonl(*documents: dict[str, Any] | str) -> list[bytes]:
    return [d.encode() if isinstance(d, str) else msgspec.json.encode(d) for d in documents]


async def run_import(
    store: InMemoryStore, lines: Iterable[bytes], batch_size: int = 2, **options: Any
) -> ImportReport:
    return await import_products(
        read_lines(lines),
        lambda: InMemoryUnitOfWork(store, CLOCK),
        CLOCK,
        "EUR",
        batch_size=batch_size,
        **options,
    )


def owner_names(store: InMemoryStore) -> dict[str, str]:
    return {v.sku: p.details.name for p in store.products.values() for v in p.variants}


async def test_each_line_makes_the_product_the_api_makes_with_its_initial_stock() -> None:
    store, through_api = InMemoryStore(), InMemoryStore()
    line = kettle_body("KT-1") | {
        "variants": [
            {"sku": "KT-1", "price": {"amount": 2999, "currency": "EUR"}},
            {"sku": "KT-2", "price": {"amount": 3499, "currency": "EUR"}},
        ],
    }

    report = await run_import(store, jsonl(line | {"stock": {"KT-2": 12}}))
    command = msgspec.convert(line, ProductBody).to_command()
    await create_product(command, InMemoryUnitOfWork(through_api, CLOCK), CLOCK, "EUR")

    assert (report.imported, report.skipped, report.rejected) == (1, 0, [])
    (imported,) = store.products.values()
    (created,) = through_api.products.values()
    assert (imported.details, imported.variants) == (created.details, created.variants)
    assert {sku: item.on_hand for sku, item in store.stock.items()} == {"KT-1": 0, "KT-2": 12}

    def shapes(outbox: list[Any]) -> list[tuple[str, int, list[str]]]:
        return [(e.type, e.schema_version, sorted(e.payload)) for e in outbox]

    assert shapes(store.outbox) == shapes(through_api.outbox)
    stock_event = next(e for e in store.outbox if e.aggregate_id == "KT-2")
    assert (stock_event.payload["on_hand"], stock_event.payload["reason"]) == (12, "created")


async def test_each_bad_line_is_reported_by_number_and_only_the_good_lines_are_written() -> None:
    store = InMemoryStore()
    lines = [
        *jsonl(
            kettle_body("KT-1"),
            "{not json",
            kettle_body("KT-2", colour="red"),
            kettle_body("KT-3", category="Kitchen"),
            kettle_body("KT-4", name="Bad\u0001name"),
            kettle_body(
                "KT-5", variants=[{"sku": "KT-5", "price": {"amount": "12", "currency": "EUR"}}]
            ),
            kettle_body(
                "KT-6", variants=[{"sku": "KT-6", "price": {"amount": 12, "currency": "USD"}}]
            ),
            kettle_body("KT-7") | {"stock": {"NOPE-1": 3}},
            kettle_body("KT-8") | {"stock": {"KT-8": -1}},
            kettle_body(
                "KT-9", variants=[{"sku": "KT-9", "price": {"amount": 1, "currency": "EUR"}}] * 2
            ),
            kettle_body("KT-10"),
        ),
        b'{"name": "caf\xe9"}',
    ]

    report = await run_import(store, lines)

    assert [(r.number, r.reason) for r in report.rejected] == [
        (2, "not valid JSON: JSON is malformed: object keys must be strings (byte 1)"),
        (3, "colour: is not a field of this body"),
        (4, "category: must be a path of 1-6 lowercase segments, e.g. electronics/phones"),
        (5, "name: must not contain control characters"),
        (6, "variants[0].price.amount: Expected `int`, got `str`"),
        (7, "price.currency: the store sells in EUR"),
        (8, "stock: not a SKU of this product: NOPE-1"),
        (9, "stock[...]: Expected `int` >= 0"),
        (10, "variants: each variant needs its own SKU"),
        (12, "not valid UTF-8 (byte 14)"),
    ]
    assert sorted(owner_names(store)) == ["KT-1", "KT-10"]
    assert sorted(store.stock) == ["KT-1", "KT-10"]
    assert Counter(e.type for e in store.outbox) == {"ProductCreated": 2, "StockLevelChanged": 2}
    assert (report.imported, report.last_line) == (2, 12)


async def test_a_sku_on_an_earlier_line_rejects_the_later_line_even_in_another_batch() -> None:
    store = InMemoryStore()
    lines = jsonl(
        kettle_body("KT-1"),
        kettle_body("KT-2"),
        kettle_body("KT-3"),
        kettle_body(
            "KT-9",
            name="Again",
            variants=[
                {"sku": "KT-9", "price": {"amount": 100, "currency": "EUR"}},
                {"sku": "KT-1", "price": {"amount": 100, "currency": "EUR"}},
            ],
        ),
    )

    report = await run_import(store, lines, batch_size=1)

    assert [(r.number, r.reason) for r in report.rejected] == [(4, "SKU KT-1 is also on line 1")]
    assert sorted(owner_names(store)) == ["KT-1", "KT-2", "KT-3"]


async def test_a_rerun_skips_every_imported_line_and_writes_no_event() -> None:
    store = InMemoryStore()
    lines = jsonl(*(kettle_body(f"KT-{n}") for n in range(5)))
    await run_import(store, lines)
    outbox = list(store.outbox)

    again = await run_import(store, lines)

    assert (again.imported, again.skipped, again.rejected) == (0, 5, [])
    assert store.outbox == outbox


async def test_an_import_that_stopped_midway_goes_on_and_writes_each_product_once() -> None:
    store = InMemoryStore()
    lines = jsonl(*(kettle_body(f"KT-{n}") for n in range(10)))
    commits = 0

    class CrashError(Exception):
        pass

    class CrashingOnTheThirdBatch(InMemoryUnitOfWork):
        async def commit(self) -> list[uuid.UUID]:
            nonlocal commits
            commits += 1
            if commits == 3:
                raise CrashError
            return await super().commit()

    with pytest.raises(CrashError):
        await import_products(
            read_lines(lines),
            lambda: CrashingOnTheThirdBatch(store, CLOCK),
            CLOCK,
            "EUR",
            batch_size=2,
        )
    assert len(store.products) == 4

    resumed = await run_import(store, lines)

    assert (resumed.imported, resumed.skipped, resumed.rejected) == (6, 4, [])
    assert sorted(owner_names(store)) == sorted(f"KT-{n}" for n in range(10))
    created = Counter(e.aggregate_id for e in store.outbox if e.type == "ProductCreated")
    assert sorted(created) == sorted(str(p) for p in store.products)
    assert set(created.values()) == {1}
    assert Counter(e.aggregate_id for e in store.outbox if e.type == "StockLevelChanged") == {
        f"KT-{n}": 1 for n in range(10)
    }


async def test_a_line_whose_skus_another_product_holds_is_a_conflict_naming_it() -> None:
    store = InMemoryStore()
    await run_import(store, jsonl(kettle_body("KT-1"), kettle_body("KT-2"), kettle_body("KT-5")))
    holder = {v.sku: p.id for p in store.products.values() for v in p.variants}

    report = await run_import(
        store,
        jsonl(
            kettle_body("KT-1"),
            kettle_body("KT-2", name="Another kettle"),
            kettle_body(
                "KT-1", variants=[{"sku": "KT-1", "price": {"amount": 1, "currency": "EUR"}}]
            ),
            kettle_body(
                "KT-3",
                variants=[
                    {"sku": "KT-3", "price": {"amount": 2999, "currency": "EUR"}},
                    {"sku": "KT-5", "price": {"amount": 2999, "currency": "EUR"}},
                ],
            ),
        ),
        batch_size=10,
    )

    assert report.skipped == 1
    assert [(r.number, r.reason) for r in report.rejected] == [
        (2, f"product {holder['KT-2']} has these SKUs but a different name"),
        (3, "SKU KT-1 is also on line 1"),
        (4, f"SKU already used by another product: KT-5 (product {holder['KT-5']})"),
    ]
    assert len(store.products) == 3


async def test_a_sku_taken_while_its_batch_is_written_costs_only_its_own_line() -> None:
    store = InMemoryStore()
    raced = False

    class StaffCreatesKt2Meanwhile(InMemoryUnitOfWork):
        async def commit(self) -> list[uuid.UUID]:
            nonlocal raced
            if not raced:
                raced = True
                staff = msgspec.convert(kettle_body("KT-2", name="Staff kettle"), ProductBody)
                uow = InMemoryUnitOfWork(store, CLOCK)
                await create_product(staff.to_command(), uow, CLOCK, "EUR")
            return await super().commit()

    report = await import_products(
        read_lines(jsonl(kettle_body("KT-1"), kettle_body("KT-2"), kettle_body("KT-3"))),
        lambda: StaffCreatesKt2Meanwhile(store, CLOCK),
        CLOCK,
        "EUR",
    )

    assert report.imported == 2
    assert [r.number for r in report.rejected] == [2]
    assert "has these SKUs but a different name" in report.rejected[0].reason
    assert owner_names(store) == {
        "KT-1": "Kettle KT-1",
        "KT-2": "Staff kettle",
        "KT-3": "Kettle KT-3",
    }
    assert Counter(e.type for e in store.outbox) == {"ProductCreated": 3, "StockLevelChanged": 3}


@pytest.mark.parametrize(
    ("lines", "told"), [(5, [(2, 2), (4, 4), (5, 5)]), (4, [(2, 2), (4, 4), (4, 4)])]
)
async def test_progress_is_told_after_each_batch_with_the_lines_covered(
    lines: int, told: list[tuple[int, int]]
) -> None:
    seen: list[tuple[int, int]] = []

    await run_import(
        InMemoryStore(),
        jsonl(*(kettle_body(f"KT-{n}") for n in range(lines))),
        batch_size=2,
        on_progress=lambda report: seen.append((report.last_line, report.imported)),
    )

    assert seen == told


def test_blank_lines_are_left_out_and_a_byte_order_mark_is_read_past() -> None:
    lines = [b"\xef\xbb\xbf" + msgspec.json.encode(kettle_body("KT-1")), b"\n", b"  \n"]
    lines += [msgspec.json.encode(kettle_body("KT-2"))]

    read = list(read_lines(lines))

    assert [(type(line).__name__, line.number) for line in read] == [
        ("ImportLine", 1),
        ("ImportLine", 4),
    ]


def test_the_collector_is_back_to_its_pace_once_an_import_is_over() -> None:
    before = gc.get_threshold()

    with collecting_rarely():
        assert gc.get_threshold()[0] > before[0]
        assert gc.get_freeze_count() > 0

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
