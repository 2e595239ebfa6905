"""The search bench's ratios and its printed tables (the JSON line holds everything)."""

from __future__ import annotations

import json
from typing import Any

CONTENDERS = ("api", "elasticsearch", "postgres")


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 2)


def _pages_per_s(run: dict[str, Any], kind: str | None) -> float:
    count = run["requests"] if kind is None else run["by_kind"].get(kind, {}).get("n", 0)
    return round(count / run["elapsed_s"], 1)


def _at(run: dict[str, Any], kind: str | None, name: str) -> float | None:
    values = run["all"] if kind is None else run["by_kind"].get(kind, {})
    return values.get(name)


def ratios(side: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The issue's targets, overall (`all`) and per kind: API throughput over PostgreSQL's,
    API p95 over PostgreSQL's, API p50 over Elasticsearch's own."""
    api, es, pg = (side[name] for name in CONTENDERS)
    kinds = [None, *sorted(api["by_kind"])]
    return {
        kind or "all": {
            "api_to_postgres_throughput": _ratio(_pages_per_s(api, kind), _pages_per_s(pg, kind)),
            "api_to_postgres_p95": _ratio(_at(api, kind, "p95_ms"), _at(pg, kind, "p95_ms")),
            "api_to_elasticsearch_p50": _ratio(_at(api, kind, "p50_ms"), _at(es, kind, "p50_ms")),
        }
        for kind in kinds
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"\n{result['products']} products, {result['concurrency']} clients, "
        f"{result['duration_s']} s per run, {result['machine']}"
    )
    if "side_by_side" in result:
        _catalogue(result)
        _side_by_side(result["side_by_side"], result["ratios"])
        _phases(result)
        _one_client(result["one_client"])
        _under_writes("under writes, 8 clients", result["under_writes"])
        _paced(result["paced"])
    print(json.dumps(result))


def _catalogue(result: dict[str, Any]) -> None:
    index, baseline = result["index"], result["baseline"]
    print(
        f"catalogue: {result['catalogue']}\n"
        f"Elasticsearch index: {index['documents']} documents, {index['store_mb']} MB, "
        f"{index['segments']} segments; heap {index['heap_used_mb']}/{index['heap_max_mb']} MB\n"
        f"PostgreSQL baseline: {baseline['products']} rows, {baseline['size_mb']} MB with its "
        f"indexes, {baseline['words']} distinct words, built in {baseline['load_and_index_s']} s"
    )
    print("\nparity, baseline against the service (share of queries; medians):")
    for kind, figures in result["parity"].items():
        print(f"  {kind:<16}{json.dumps(figures)}")


def _side_by_side(side: dict[str, Any], ratios: dict[str, Any]) -> None:
    print(
        f"\n{'kind':<16}"
        + "".join(f"{name + ' pages/s p50/p95':>30}" for name in CONTENDERS)
        + f"{'API/PG thr':>12}{'API/PG p95':>12}{'API/ES p50':>12}"
    )
    for kind in [*sorted(side["api"]["by_kind"]), None]:
        cells = "".join(
            f"{_pages_per_s(side[name], kind):>12} "
            f"{_at(side[name], kind, 'p50_ms')}/{_at(side[name], kind, 'p95_ms')} ms".rjust(30)
            for name in CONTENDERS
        )
        r = ratios[kind or "all"]
        print(f"{kind or 'all':<16}{cells}" + "".join(f"{_show(r[name]):>12}" for name in r))
    print("errors (answered in error, not counted as pages):")
    for name in CONTENDERS:
        run = side[name]
        share = run["errors"] / max(run["errors"] + run["requests"], 1)
        print(f"  {name:<14}{run['errors']} ({share:.0%}) {run['errors_by_kind'] or ''}")


def _phases(result: dict[str, Any]) -> None:
    print("\nload average (1, 5, 15 min) before -> after, and CPU cores busy, per phase:")
    phases = {f"8 clients, {name}": run for name, run in result["side_by_side"].items()}
    phases |= {f"one client, {name}": run for name, run in result["one_client"].items()}
    phases["under writes, api"] = result["under_writes"]["search"]
    phases["paced, quiet"] = result["paced"]["quiet"]
    phases["paced, under writes"] = result["paced"]["under_writes"]["search"]
    for name, run in phases.items():
        cpu = ", ".join(f"{group} {cores}" for group, cores in run["cpu_cores"].items())
        print(f"  {name:<28}{run['load_average_before']} -> {run['load_average_after']}; {cpu}")


def _one_client(runs: dict[str, Any]) -> None:
    print(f"\none client, kind by kind (p50/p95 ms): {'  '.join(runs)}")
    for kind in [*sorted(runs["elasticsearch"]["by_kind"]), None]:
        cells = "".join(
            f"{_at(run, kind, 'p50_ms')}/{_at(run, kind, 'p95_ms')}".rjust(20)
            for run in runs.values()
        )
        api_to_es = _ratio(
            _at(runs["api"], kind, "p50_ms"), _at(runs["elasticsearch"], kind, "p50_ms")
        )
        print(f"  {kind or 'all':<16}{cells}   API/ES p50 {_show(api_to_es)}")


def _paced(paced: dict[str, Any]) -> None:
    quiet = paced["quiet"]
    print(
        f"\npaced, {paced['rate_per_s']} searches started a second: quiet p50/p95 "
        f"{quiet['all']['p50_ms']}/{quiet['all']['p95_ms']} ms"
    )
    _under_writes(
        "paced under writes", paced["under_writes"] | {"p95_to_quiet": paced["p95_to_quiet"]}
    )


def _under_writes(title: str, under: dict[str, Any]) -> None:
    search, writes = under["search"], under["writes"]
    lag = writes["commit_to_searchable"]
    commands = writes["commands"]
    print(
        f"\n{title} ({writes['sent_per_s']} commands/s sent, the last answered after "
        f"{writes['last_answer_after_s']} s, {commands['errors']} errors, "
        f"p50/p95 {commands['all'].get('p50_ms')}/{commands['all'].get('p95_ms')} ms): "
        f"search p50/p95 {search['all']['p50_ms']}/{search['all']['p95_ms']} ms, "
        f"{_pages_per_s(search, None)} pages/s; p95 under writes / quiet: "
        f"{_show(under['p95_to_quiet'])}\n"
        f"commit to searchable: p50 {lag['p50_ms']} ms, p95 {lag['p95_ms']} ms, "
        f"max {lag['max_ms']} ms (n={lag['n']}; poll every {writes['poll_interval_ms']} ms); "
        f"not searchable within {list(writes['not_searchable_within_s'].items())}"
    )


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"
