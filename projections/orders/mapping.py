"""The `orders` index: its mapping and the alias its readers and writers name.

The alias `<prefix>-orders` points at `<prefix>-orders-v<N>`; readers and writers only name the
alias. Mapping: only what the bare server provides (keyword, dates, numbers, the standard
analyser); the searchable words are normalised in Python (`projections.text`).
"""

from __future__ import annotations

from typing import Any

from projections.indices import alias_of

NAME = "orders"
# Bump on a change the server cannot apply in place (a field's type); then rebuild.
MAPPING_VERSION = 1
_KEYWORD = {"type": "keyword", "ignore_above": 1024}

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"model": NAME, "mapping_version": MAPPING_VERSION},
    "properties": {
        "id": {"type": "keyword"},
        "version": {"type": "long"},
        "number": {"type": "keyword"},
        "customer_id": {"type": "keyword"},
        "customer_email": _KEYWORD,
        "status": {"type": "keyword"},
        "payment_ids": {"type": "keyword"},
        "skus": _KEYWORD,
        "placed_at": {"type": "date"},
        # Product names and the order number, one normalised term per word.
        "search": {"type": "text", "analyzer": "standard"},
        "detail": {"type": "object", "enabled": False},
    },
}


def alias_name(index_prefix: str) -> str:
    return alias_of(index_prefix, NAME)
