"""`commerce catalog import` against the running service: what it writes reaches the products
read model through the same relay and worker as a product created over HTTP, and looks the
same there."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import msgspec

from tests.e2e.conftest import Service
from tests.support import bearer, kettle_body

COMMERCE = str(Path(sys.executable).with_name("commerce"))


def found(http: httpx.Client, word: str, count: int, timeout: float = 60) -> list[Any]:
    deadline = time.monotonic() + timeout
    items: list[Any] = []
    while time.monotonic() < deadline:
        items = http.get("/v1/products", params={"q": word}).json()["items"]
        if len(items) >= count:
            return items
        time.sleep(0.2)
    raise AssertionError(
        f"{[i['name'] for i in items]} of {count} found by {word!r} after {timeout} s"
    )


def test_imported_products_become_searchable_just_like_products_created_over_http(
    service: Service, tmp_path: Path
) -> None:
    word = f"imported{uuid.uuid4().hex[:8]}"
    skus = [f"IMP-{uuid.uuid4().hex[:10]}" for _ in range(3)]
    lines = [kettle_body(sku, name=f"Kettle {word} {n}") for n, sku in enumerate(skus)]
    lines[0]["stock"] = {skus[0]: 5}
    file = tmp_path / "catalogue.jsonl"
    file.write_bytes(b"\n".join(msgspec.json.encode(line) for line in lines))
    http = httpx.Client(base_url=service.url, timeout=10)
    twin = http.post(
        "/v1/admin/products",
        json=kettle_body(f"IMP-{uuid.uuid4().hex[:10]}", name=f"Kettle {word} twin"),
        headers=bearer("operator"),
    )
    assert twin.status_code == 201, twin.text

    imported = subprocess.run(
        [COMMERCE, "catalog", "import", str(file)],
        env=os.environ | {"COMMERCE_DATABASE_URL": service.database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert imported.returncode == 0, imported.stderr
    assert "3 imported, 0 skipped, 0 rejected" in imported.stdout
    items = {item["name"]: item for item in found(http, word, 4)}
    assert items[f"Kettle {word} 0"]["in_stock"] is True
    assert items[f"Kettle {word} 1"]["in_stock"] is False

    def without_identity(item: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in item.items() if k not in {"id", "name", "variants", "highlight"}}

    assert without_identity(items[f"Kettle {word} 1"]) == without_identity(
        items[f"Kettle {word} twin"]
    )
