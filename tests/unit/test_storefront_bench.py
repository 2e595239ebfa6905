"""The storefront bench compares like with like: the page is asked the very query the API is
asked, and each ratio divides the page's p95 by the API's of the same kind."""

import random
from urllib.parse import parse_qsl, urlsplit

import msgspec
import pytest

from commerce.entrypoints.web.search_state import search_query
from tests.bench_modules import bench_module

storefront = bench_module("storefront")
search_mix = bench_module("search_mix")


@pytest.mark.parametrize("kind", [k for k in search_mix.KIND_NAMES if k != "suggest"])
def test_the_search_page_is_asked_the_query_the_api_is_asked(kind: str) -> None:
    rng = random.Random(3)
    for _ in range(20):
        params = search_mix.query_of_kind(kind, rng) | {"cursor": "c1"}

        path = storefront.page_path(params)

        asked = search_query(parse_qsl(urlsplit(path).query))
        assert asked == msgspec.structs.replace(search_mix.to_query(params), limit=asked.limit)
        assert asked.limit == search_mix.to_query(params).limit


def test_the_ratio_is_the_pages_p95_over_the_apis_for_the_same_kind() -> None:
    def run(p95_by_kind: dict[str, float]) -> dict[str, object]:
        by_kind = {kind: {"p95_ms": p95} for kind, p95 in p95_by_kind.items()}
        return {"all": {"p95_ms": max(p95_by_kind.values())}, "by_kind": by_kind}

    side = {
        "api": run({"filtered": 100.0, "full_text": 50.0}),
        "page": run({"filtered": 120.0, "full_text": 80.0}),
        "fragment": run({"filtered": 90.0, "full_text": 55.0}),
    }

    ratios = storefront.ratios(side)

    assert ratios["full_text"] == {"page_to_api_p95": 1.6, "fragment_to_api_p95": 1.1}
    assert ratios["filtered"] == {"page_to_api_p95": 1.2, "fragment_to_api_p95": 0.9}
    assert ratios["all"]["page_to_api_p95"] == 1.2
