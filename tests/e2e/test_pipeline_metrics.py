"""The pipeline's figures move as a shop is used: orders placed while no relay runs pile up in
the outbox, a relay started later empties it, the worker applies them (with their lag), and the
API counts checkouts, payments, searches and Consistency-Token waits. Every metric the Grafana
dashboard and the alert rules name is in one of the three `/metrics` pages."""

import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from commerce.settings import Settings
from tests.e2e.conftest import Service, running_service
from tests.e2e.test_shopping_journey import pay, signed_in_customer, stocked_product

CHECKOUT = Path(__file__).resolve().parents[2]
ORDERS = 3
SERIES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
    "summary": ("", "_count", "_sum"),
    "unknown": ("",),
}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> Samples:
    text = httpx.get(url, timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def eventually(
    read: Callable[[], Samples], holds: Callable[[Samples], bool], within: float
) -> Samples:
    deadline = time.monotonic() + within
    while True:
        try:
            samples = read()
        except httpx.TransportError:
            samples = {}
        if (samples and holds(samples)) or time.monotonic() > deadline:
            return samples
        time.sleep(0.2)


@pytest.fixture(scope="module")
def shop(stack_settings: Settings) -> Iterator[tuple[Service, dict[str, Samples]]]:
    """Orders placed with no relay running; then a relay started. Yields the service and the
    first relay page (the backlog it found)."""
    with running_service(stack_settings, redis_db=12, relay=False) as service:
        http = httpx.Client(base_url=service.url, timeout=15)
        me = signed_in_customer(http)
        sku = f"MT-{uuid.uuid4().hex[:8]}"
        stocked_product(http, f"metric{uuid.uuid4().hex[:6]}", sku)
        for _ in range(ORDERS):
            added = http.put(f"/v1/cart/items/{sku}", json={"quantity": 1}, headers=me)
            assert added.status_code == 200, added.text
            key = {"Idempotency-Key": str(uuid.uuid4())}
            placed = http.post("/v1/orders", json={}, headers=me | key)
            assert placed.status_code == 201, placed.text
        key = {"Idempotency-Key": str(uuid.uuid4())}
        assert http.post("/v1/orders", json={}, headers=me | key).status_code == 422  # empty
        commerce = str(Path(sys.executable).with_name("commerce"))
        relay = subprocess.Popen([commerce, "relay"], env=service.env)
        try:
            first = eventually(lambda: scrape(service.relay_metrics), bool, 30)
            pay(http, me, placed.json()["id"], 1000)
            token = {"Consistency-Token": placed.headers["consistency-token"]}
            assert http.get("/v1/cart", headers=me | token).status_code == 200
            assert http.get("/v1/products", params={"q": "walnut"}).status_code == 200
            yield service, {"relay_first": first}
        finally:
            relay.terminate()
            relay.wait(timeout=30)


def test_the_outbox_backlog_rises_while_no_relay_runs_then_falls_to_zero(
    shop: tuple[Service, dict[str, Samples]],
) -> None:
    service, pages = shop
    first = pages["relay_first"]
    assert value(first, "commerce_outbox_backlog_events") >= ORDERS
    assert value(first, "commerce_outbox_oldest_age_seconds") > 0

    drained = eventually(
        lambda: scrape(service.relay_metrics),
        lambda s: value(s, "commerce_outbox_backlog_events") == 0,
        30,
    )

    assert value(drained, "commerce_outbox_backlog_events") == 0
    published = value(drained, "commerce_relay_events_published_total")
    assert published >= value(first, "commerce_outbox_backlog_events")
    assert value(drained, "commerce_relay_batch_size_events_count") >= 1


def test_the_worker_counts_the_events_it_applies_and_their_lag_per_read_model(
    shop: tuple[Service, dict[str, Samples]],
) -> None:
    service, _ = shop
    applied = "commerce_projection_events_applied_total"

    page = eventually(
        lambda: scrape(service.worker_metrics),
        lambda s: value(s, applied, read_model="orders") >= ORDERS,
        60,
    )

    assert value(page, applied, read_model="orders") >= ORDERS
    lagged = value(page, "commerce_projection_lag_seconds_count", read_model="orders")
    quick = value(page, "commerce_projection_lag_seconds_bucket", read_model="orders", le="0.05")
    assert lagged >= ORDERS
    assert quick < lagged  # they waited in the outbox while no relay ran


def test_the_api_counts_checkouts_payments_searches_and_token_waits_by_outcome(
    shop: tuple[Service, dict[str, Samples]],
) -> None:
    service, _ = shop

    page = scrape(f"{service.url}/metrics")

    assert value(page, "commerce_checkouts_total", outcome="placed") == ORDERS
    assert value(page, "commerce_checkouts_total", outcome="empty_cart") == 1
    assert value(page, "commerce_payments_total", outcome="succeeded") == 1
    assert value(page, "commerce_search_duration_seconds_count", kind="text") >= 1
    waits = value(page, "commerce_consistency_waits_total", read_model="carts", outcome="fresh")
    assert waits == 1


def test_every_metric_the_dashboard_and_the_alerts_use_is_served(
    shop: tuple[Service, dict[str, Samples]],
) -> None:
    service, _ = shop
    pages = (f"{service.url}/metrics", service.relay_metrics, service.worker_metrics)
    served = {name for url in pages for name in names(url)}

    assert metric_names_used() - served == set()


def names(url: str) -> set[str]:
    """Every series name a query may use, samples or not yet (a counter whose labels never
    occurred is a family without samples)."""
    families = list(text_string_to_metric_families(httpx.get(url, timeout=5).text))
    return {f.name + suffix for f in families for suffix in SERIES[f.type]} | {
        sample.name for f in families for sample in f.samples
    }


def metric_names_used() -> set[str]:
    """Names in the dashboard's and the alert rules' PromQL (deploy/)."""
    dashboard = json.loads((CHECKOUT / "deploy/grafana/dashboards/commerce.json").read_text())
    queries = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    rules = yaml.safe_load((CHECKOUT / "deploy/prometheus/alerts.yml").read_text())
    queries += [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    return {name for query in queries for name in promql_metric_names(query)}


def promql_metric_names(query: str) -> set[str]:
    return set(re.findall(r"\b(?:commerce|dramatiq)_[a-z0-9_]+\b", query))
