"""The search bench's figures are what the issue's targets are checked against: a page counts
only when it was served, and each ratio divides the right figures of the right runs."""

from typing import Any

import httpx

from tests.bench_modules import bench_module

common = bench_module("common")
search_drivers = bench_module("search_drivers")
search_report = bench_module("search_report")


async def test_a_request_refused_with_503_is_an_error_not_a_fast_page() -> None:
    rec = common.Recorder()

    async def refused() -> httpx.Response:
        return httpx.Response(503)

    async def served() -> httpx.Response:
        return httpx.Response(200, json={"items": []})

    await search_drivers.timed(rec, "full_text", refused)
    await search_drivers.timed(rec, "full_text", served)

    summary = rec.summary(duration=1.0)
    assert summary["requests"] == 1
    assert summary["errors_by_kind"] == {"full_text 503": 1}


def a_run(pages: dict[str, tuple[int, float, float]], elapsed: float) -> dict[str, Any]:
    """A run's summary: per kind (pages read, p50 ms, p95 ms); `all` from the slowest kind."""
    every = sum(n for n, _, _ in pages.values())
    slowest = max(pages.values(), key=lambda figures: figures[2])
    return {
        "requests": every,
        "elapsed_s": elapsed,
        "all": {"n": every, "p50_ms": slowest[1], "p95_ms": slowest[2]},
        "by_kind": {
            k: {"n": n, "p50_ms": p50, "p95_ms": p95} for k, (n, p50, p95) in pages.items()
        },
    }


def test_throughput_ratios_compare_pages_a_second_not_pages_in_runs_of_different_lengths() -> None:
    side = {
        "api": a_run({"full_text": (300, 40, 90)}, elapsed=20),  # 15 pages/s
        "elasticsearch": a_run({"full_text": (400, 30, 80)}, elapsed=20),
        "postgres": a_run({"full_text": (100, 200, 450)}, elapsed=25),  # 4 pages/s
    }

    ratios = search_report.ratios(side)

    assert ratios["all"] == {
        "api_to_postgres_throughput": 3.75,
        "api_to_postgres_p95": 0.2,
        "api_to_elasticsearch_p50": 1.33,
    }
    assert ratios["full_text"] == ratios["all"]


def test_a_kind_one_contender_never_answered_has_no_ratio_rather_than_a_wrong_one() -> None:
    side = {
        "api": a_run({"suggest": (10, 20, 30), "sorted": (10, 20, 30)}, elapsed=10),
        "elasticsearch": a_run({"sorted": (10, 20, 30)}, elapsed=10),
        "postgres": a_run({"suggest": (10, 20, 30), "sorted": (10, 20, 30)}, elapsed=10),
    }

    ratios = search_report.ratios(side)

    assert ratios["suggest"]["api_to_elasticsearch_p50"] is None
    assert ratios["suggest"]["api_to_postgres_throughput"] == 1.0
