"""The `reviews` index: its mapping and the alias its readers and writers name.

The alias `<prefix>-reviews` points at `<prefix>-reviews-v<N>` or, after a rebuild, at
`<prefix>-reviews-v<N>-<UTC timestamp>`. One document per review, hidden ones included (a
flag filtered out of every query, never a delete: a replayed old event would resurrect it).
"""

from __future__ import annotations

from typing import Any

from projections.indices import alias_of

NAME = "reviews"
# Bump on a change the server cannot apply in place (a field's type); then rebuild.
MAPPING_VERSION = 1

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"model": NAME, "mapping_version": MAPPING_VERSION},
    "properties": {
        "id": {"type": "keyword"},
        "product_id": {"type": "keyword"},
        "version": {"type": "long"},
        "hidden": {"type": "boolean"},
        "stars": {"type": "integer"},
        "posted_at": {"type": "date"},
        "updated_at": {"type": "date"},
        # What a shopper reads: shown, never searched.
        "display": {"type": "object", "enabled": False},
    },
}


def alias_name(index_prefix: str) -> str:
    return alias_of(index_prefix, NAME)
