"""`commerce catalog import` as a user runs it, against the real PostgreSQL: bad lines are
reported by number and never written, an import killed midway goes on where it stopped, and
staff writing through the API meanwhile lose nothing and duplicate nothing."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import text

from commerce.adapters.postgres.engine import create_engine
from commerce.entrypoints.http.app import create_app
from commerce.settings import Settings
from tests.support import TEST_JWT_SECRET, bearer, kettle_body

COMMERCE = str(Path(sys.executable).with_name("commerce"))


def write_lines(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    encoded = [
        line.encode() if isinstance(line, str) else msgspec.json.encode(line) for line in lines
    ]
    path.write_bytes(b"\n".join(encoded) + b"\n")
    return path


def run_import(database_url: str, path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMMERCE, "catalog", "import", str(path), *options],
        env=os.environ | {"COMMERCE_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class Written(msgspec.Struct):
    """What the write side holds for the SKUs that start with a prefix."""

    owners: dict[str, str]  # SKU: the name of the product holding it
    products_created: Counter[str]  # ProductCreated events per product id
    stock_created: Counter[str]  # StockLevelChanged events of a new stock item, per SKU
    stock: dict[str, int]  # on hand per SKU


def written(database_url: str, prefix: str) -> Written:
    return asyncio.run(_written(database_url, prefix))


async def _written(database_url: str, prefix: str) -> Written:
    like = {"like": f"{prefix}%"}
    engine = create_engine(database_url, pool_size=1)
    async with engine.connect() as connection:
        owners = await connection.execute(
            text(
                "SELECT v.sku, p.name FROM product_variants v"
                " JOIN products p ON p.id = v.product_id WHERE v.sku LIKE :like"
            ),
            like,
        )
        created = await connection.execute(
            text(
                "SELECT aggregate_id FROM outbox WHERE type = 'ProductCreated' AND aggregate_id IN"
                " (SELECT product_id::text FROM product_variants WHERE sku LIKE :like)"
            ),
            like,
        )
        stock_events = await connection.execute(
            text(
                "SELECT aggregate_id FROM outbox WHERE type = 'StockLevelChanged'"
                " AND payload->>'reason' = 'created' AND aggregate_id LIKE :like"
            ),
            like,
        )
        stock = await connection.execute(
            text("SELECT sku, on_hand FROM stock_items WHERE sku LIKE :like"), like
        )
    await engine.dispose()
    return Written(
        owners={sku: name for sku, name in owners},
        products_created=Counter(created.scalars()),
        stock_created=Counter(stock_events.scalars()),
        stock={sku: on_hand for sku, on_hand in stock},
    )


def test_bad_lines_are_reported_by_number_never_written_and_the_exit_status_says_so(
    database_url: str, tmp_path: Path
) -> None:
    p = f"BAD{uuid.uuid4().hex[:6]}-"
    file = write_lines(
        tmp_path / "catalogue.jsonl",
        [
            kettle_body(f"{p}1") | {"stock": {f"{p}1": 7}},
            '{"name": "Kettle", "variants": [',
            kettle_body(f"{p}2", colour="red"),
            kettle_body(f"{p}3", category="Kitchen"),
            kettle_body(
                f"{p}4", variants=[{"sku": f"{p}1", "price": {"amount": 1, "currency": "EUR"}}]
            ),
            kettle_body(f"{p}5"),
        ],
    )

    first = run_import(database_url, file)
    again = run_import(database_url, file)

    assert first.returncode == 1
    assert first.stderr.splitlines() == [
        "line 2: not valid JSON: Input data was truncated",
        "line 3: colour: is not a field of this body",
        "line 4: category: must be a path of 1-6 lowercase segments, e.g. electronics/phones",
        f"line 5: SKU {p}1 is also on line 1",
    ]
    assert first.stdout.startswith("2 imported, 0 skipped, 4 rejected")
    state = written(database_url, p)
    assert state.owners == {f"{p}1": f"Kettle {p}1", f"{p}5": f"Kettle {p}5"}
    assert state.stock == {f"{p}1": 7, f"{p}5": 0}
    assert again.returncode == 1
    assert again.stdout.startswith("0 imported, 2 skipped, 4 rejected")
    assert written(database_url, p) == state
    assert set(state.products_created.values()) == set(state.stock_created.values()) == {1}


def test_an_import_killed_midway_goes_on_and_writes_every_product_and_event_once(
    database_url: str, tmp_path: Path
) -> None:
    p = f"KIL{uuid.uuid4().hex[:6]}-"
    count = 5000
    file = write_lines(tmp_path / "catalogue.jsonl", [kettle_body(f"{p}{n}") for n in range(count)])
    importing = subprocess.Popen(
        [COMMERCE, "catalog", "import", str(file), "--batch-size", "50"],
        env=os.environ | {"COMMERCE_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not written(database_url, p).owners and importing.poll() is None:
            time.sleep(0.01)
    finally:
        importing.send_signal(signal.SIGKILL)
        importing.wait()
    killed = written(database_url, p)
    assert 0 < len(killed.owners) < count, "the import was not killed midway: make it longer"

    resumed = run_import(database_url, file, "--batch-size", "50")

    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.startswith(
        f"{count - len(killed.owners)} imported, {len(killed.owners)} skipped, 0 rejected"
    )
    state = written(database_url, p)
    assert sorted(state.owners) == sorted(f"{p}{n}" for n in range(count))
    assert len(state.products_created) == count
    assert set(state.products_created.values()) == {1}
    assert state.stock_created == Counter(state.owners.keys())


@pytest.fixture
def client(stack_settings: Settings, database_url: str) -> Iterator[TestClient[Litestar]]:
    settings = msgspec.structs.replace(
        stack_settings, database_url=database_url, jwt_secret=TEST_JWT_SECRET
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_staff_writing_during_an_import_lose_nothing_and_duplicate_nothing(
    database_url: str, client: TestClient[Litestar], tmp_path: Path
) -> None:
    p = f"LIV{uuid.uuid4().hex[:6]}-"
    count = 3000
    file = write_lines(tmp_path / "catalogue.jsonl", [kettle_body(f"{p}{n}") for n in range(count)])
    # Lines behind the import and lines ahead of it, in turn, till they meet.
    behind, ahead = range(1, count // 2, 97), range(count - 1, count // 2, -97)
    clashing = [n for pair in zip(behind, ahead, strict=True) for n in pair]
    staff = [
        kettle_body(sku, name=f"Staff {sku.removeprefix(p)}")
        for n, i in enumerate(clashing)
        for sku in (f"{p}{i}", f"{p}S{n}")
    ]
    importing = subprocess.Popen(
        [COMMERCE, "catalog", "import", str(file), "--batch-size", "100"],
        env=os.environ | {"COMMERCE_DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while not written(database_url, p).owners and importing.poll() is None:
        time.sleep(0.01)
    answers: dict[str, int] = {}
    for n, body in enumerate(staff):
        created = client.post("/v1/admin/products", json=body, headers=bearer("operator"))
        answers[body["variants"][0]["sku"]] = created.status_code
        counted = client.put(
            f"/v1/admin/inventory/{p}{n}", json={"on_hand": 3}, headers=bearer("stock_operator")
        )
        assert counted.status_code in (200, 404)  # 404: not imported yet
    out, err = importing.communicate(timeout=120)

    assert {answers[f"{p}S{n}"] for n in range(len(clashing))} == {201}
    assert {answers[f"{p}{n}"] for n in clashing} <= {201, 409}
    won = {n for n in clashing if answers[f"{p}{n}"] == 201}
    assert importing.returncode == (1 if won else 0), err
    assert out.startswith(f"{count - len(won)} imported, 0 skipped, {len(won)} rejected")
    reported = {line.split(":")[0] for line in err.splitlines() if line.startswith("line ")}
    assert reported == {f"line {n + 1}" for n in won}
    state = written(database_url, p)
    assert len(state.owners) == count + len(clashing)
    for n in clashing:
        assert state.owners[f"{p}{n}"] == (f"Staff {n}" if n in won else f"Kettle {p}{n}")
    assert len(state.products_created) == count + len(clashing)
    assert set(state.products_created.values()) == {1}
    assert state.stock_created == Counter(state.owners.keys())


def test_an_import_that_cannot_reach_postgresql_says_so_and_how_to_go_on(
    tmp_path: Path,
) -> None:
    file = write_lines(tmp_path / "catalogue.jsonl", [kettle_body("KT-1")])

    stopped = run_import("postgresql://commerce:commerce@127.0.0.1:1/commerce", file)

    assert stopped.returncode == 1
    assert "Error: postgres does not answer; 0 imported" in stopped.stderr
    assert "run the same command again to go on" in stopped.stderr
    assert "Traceback" not in stopped.stderr
