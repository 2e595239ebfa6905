"""Do the PostgreSQL baseline and the service answer the mix alike? For queries of each kind,
both answers side by side: the share with the same total, the same facets and the same first
page, and how much of the service's first page the baseline's holds (ranking by `ts_rank`
orders matches differently than BM25; browsing and filtering must agree exactly). Suggestions
of equal weight (every seeded product's) come in no defined order: their count is compared."""

from __future__ import annotations

import random
import statistics
from typing import Any

import msgspec
from search_mix import KIND_NAMES, query_of_kind, to_query

from commerce.ports.product_search import ProductSearch, SearchResult


async def parity(
    service: ProductSearch, baseline: ProductSearch, samples: int, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    by_kind: dict[str, Any] = {}
    for kind in KIND_NAMES:
        comparisons = []
        for _ in range(samples):
            params = query_of_kind(kind, rng)
            if kind == "suggest":
                expected = {s.id for s in await service.suggest(params["q"])}
                found = {s.id for s in await baseline.suggest(params["q"])}
                comparisons.append(
                    {
                        "same_count": len(expected) == len(found),
                        "page_overlap": _overlap(expected, found),
                    }
                )
                continue
            query = to_query(params)
            comparisons.append(_compare(await service.search(query), await baseline.search(query)))
        by_kind[kind] = _summary(comparisons)
    return by_kind


def _compare(expected: SearchResult, found: SearchResult) -> dict[str, Any]:
    ids = [item.id for item in expected.items]
    return {
        "same_total": expected.total == found.total,
        "total_ratio": found.total.value / max(expected.total.value, 1),
        "same_facets": msgspec.to_builtins(expected.facets) == msgspec.to_builtins(found.facets),
        "same_page": ids == [item.id for item in found.items],
        "page_overlap": _overlap(set(ids), {item.id for item in found.items}),
    }


def _overlap(expected: set[Any], found: set[Any]) -> float:
    return len(expected & found) / len(expected) if expected else float(not found)


def _summary(comparisons: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {"n": len(comparisons)}
    for name in comparisons[0]:
        values = [c[name] for c in comparisons]
        if isinstance(values[0], bool):
            summary[name] = round(sum(values) / len(values), 2)
        else:
            summary[f"{name}_median"] = round(statistics.median(values), 2)
    return summary
