"""The `products` index: its mapping and the alias its readers and writers name.

The alias `<prefix>-products` points at one index, `<prefix>-products-v<N>` or, after a
rebuild, `<prefix>-products-v<N>-<UTC timestamp>`.

Mapping: only what the bare server provides (standard analyser, keyword, numbers, dates,
completion). Text is normalised in Python (`projections.text`): the `search.*` fields hold one
term per word, which the standard analyser splits on spaces.
"""

from __future__ import annotations

from typing import Any

from projections.indices import alias_of

NAME = "products"
# The completion field keeps at most this many characters of an input.
SUGGESTION_INPUT_LENGTH = 50
# Bump on a change the server cannot apply in place (a field's type) or that every document
# must be written again for (a new field they all need); then rebuild.
MAPPING_VERSION = 2
_KEYWORD = {"type": "keyword", "ignore_above": 1024}
_TEXT = {"type": "text", "analyzer": "standard"}
# Facet fields: their global ordinals are built when a refresh opens new segments, not by the
# first search after it (a refresh a second under writes; docs/adr/0005).
_FACET = _KEYWORD | {"eager_global_ordinals": True}

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"model": NAME, "mapping_version": MAPPING_VERSION},
    "properties": {
        "id": {"type": "keyword"},
        "tiebreak": {"type": "long"},  # the last sort key: products.document.tiebreak
        # `listed` is what search and suggestions show; `visible` what the detail page shows.
        "visible": {"type": "boolean"},
        "listed": {"type": "boolean"},
        "archived": {"type": "boolean"},
        "brand": _FACET,
        "brand_key": _KEYWORD,
        "category": {"type": "keyword"},
        "category_paths": _FACET,
        "attrs": _FACET,
        "price": {"type": "long"},
        "effective_price": {"type": "long"},
        "sale_price": {"type": "long"},
        "on_sale": {"type": "boolean"},
        # The sales in force the document holds: a sale's end finds them by it.
        "sale_ids": {"type": "keyword"},
        "in_stock": {"type": "boolean"},
        "rating": {
            "properties": {"average": {"type": "float"}, "count": {"type": "integer"}},
        },
        # Multiplies a full-text match's score (documents.RatingState.rank_boost); a document
        # written before it existed counts as 1 (`missing` in the query).
        "rank_boost": {"type": "float"},
        "sold_count": {"type": "long"},
        "created_at": {"type": "date"},
        "search": {
            "properties": {
                "name": _TEXT,
                "brand": _TEXT,
                "category": _TEXT,
                "description": _TEXT,
            }
        },
        # Prefix (and fuzzy prefix) suggestions; inputs are folded in Python.
        "suggest": {
            "type": "completion",
            "analyzer": "keyword",
            "max_input_length": SUGGESTION_INPUT_LENGTH,
        },
        "display": {"type": "object", "enabled": False},
        "state": {"type": "object", "enabled": False},
    },
}


def alias_name(index_prefix: str) -> str:
    return alias_of(index_prefix, NAME)
