"""The `carts` index: its mapping and the alias its readers and writers name.

The alias `<prefix>-carts` points at `<prefix>-carts-v<N>`. Prices are not kept: `GET /v1/cart`
prices the lines from the `products` read model (`projections.carts.query`).
"""

from __future__ import annotations

from typing import Any

from projections.indices import alias_of

NAME = "carts"
# Bump on a change the server cannot apply in place (a field's type).
MAPPING_VERSION = 1

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"model": NAME, "mapping_version": MAPPING_VERSION},
    "properties": {
        "customer_id": {"type": "keyword"},
        # Read back whole by id, never searched.
        "lines": {"type": "object", "enabled": False},
        "promo_code": {"type": "keyword", "index": False},
        "version": {"type": "long"},
    },
}


def alias_name(index_prefix: str) -> str:
    return alias_of(index_prefix, NAME)
