"""A steady write load through the API while shoppers search, and how long each write takes to
become searchable.

Commands go out at a fixed rate (an open loop: a slow answer does not slow the next command),
each on a product no other command in flight touches: a price cut of the cheapest variant (so
the product's effective price becomes the new one), a description edit adding a word no other
document holds, or a stock count. A price cut is searchable once a search filtered by the
product's id and its new price finds it; an edit, once a search for its new word finds it. One
poller asks for every pending change in one search every `POLL` seconds.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from common import Recorder, lag_summary
from elasticsearch import AsyncElasticsearch

from projections.text import index_text

POLL = 0.05  # the resolution of commit-to-searchable, against the searches it adds
GIVE_UP = 30.0
KINDS = (("price", 0.4), ("edit", 0.3), ("stock", 0.3))
STOCK_COUNTS = (0, 3, 10, 25, 100)


@dataclass
class Editable:
    """A product the load edits, as the bench last left it."""

    id: str
    description: str
    variants: list[dict[str, Any]]  # the display variants: sku, price {amount, currency}

    @property
    def cheapest(self) -> dict[str, Any]:
        return min(self.variants, key=lambda v: (v["price"]["amount"], v["sku"]))


@dataclass
class Pending:
    kind: str
    check: dict[str, Any]
    committed: float


@dataclass
class Outcome:
    commands: Recorder = field(default_factory=Recorder)
    lags: dict[str, list[float]] = field(default_factory=lambda: {"price": [], "edit": []})
    not_visible: int = 0
    skipped: int = 0  # no product free to edit when a command was due

    def summary(self, sent: int, sending: float, answered: float) -> dict[str, Any]:
        """`sending`: the seconds over which the `sent` commands went out (longer than asked
        when this process was starved of CPU); `answered`: until the last answer came back."""
        every = [lag for lags in self.lags.values() for lag in lags]
        return {
            "commands": self.commands.summary(sending),
            "sent_per_s": round(sent / sending, 1),
            "last_answer_after_s": round(answered, 1),
            "commit_to_searchable": lag_summary(every)
            | {kind: lag_summary(lags) for kind, lags in self.lags.items()},
            "not_searchable_within_s": {str(GIVE_UP): self.not_visible},
            "skipped": self.skipped,
            "poll_interval_ms": POLL * 1000,
        }


async def editable_products(es: AsyncElasticsearch, alias: str, count: int) -> list[Editable]:
    """`count` listed products from a random place in id order."""
    response = await es.search(
        index=alias,
        query={"term": {"listed": True}},
        sort=[{"id": "asc"}],
        search_after=[str(uuid.uuid4())],
        size=count,
        source_includes=["id", "display.description", "display.variants"],
    )
    return [
        Editable(
            id=hit["_source"]["id"],
            description=hit["_source"]["display"]["description"] or "",
            variants=hit["_source"]["display"]["variants"],
        )
        for hit in response["hits"]["hits"]
    ]


class WriteLoad:
    def __init__(
        self,
        http: httpx.AsyncClient,
        es: AsyncElasticsearch,
        alias: str,
        products: list[Editable],
        *,
        headers: dict[str, str],
        seed: int,
    ) -> None:
        self._http, self._es, self._alias, self._headers = http, es, alias, headers
        self._free = list(products)
        self._rng = random.Random(seed)
        self._run = uuid.uuid4().hex[:6]
        self._pending: dict[str, Pending] = {}
        self._waiting: dict[str, Editable] = {}  # by the token of its pending change
        self._outcome = Outcome()
        self._sent = 0
        self._settled = asyncio.Event()  # set whenever nothing is pending
        self._settled.set()

    async def run(self, rate: float, duration: float) -> dict[str, Any]:
        """Commands at `rate` a second for `duration` seconds; then wait for the last ones to
        become searchable."""
        poller = asyncio.ensure_future(self._poll())
        started = time.perf_counter()
        tasks = []
        for number in range(int(rate * duration)):
            await asyncio.sleep(max(0.0, started + number / rate - time.perf_counter()))
            if not self._free:
                self._outcome.skipped += 1
                continue
            product = self._free.pop(self._rng.randrange(len(self._free)))
            tasks.append(asyncio.ensure_future(self._command(product)))
        sending = time.perf_counter() - started
        await asyncio.gather(*tasks)
        answered = time.perf_counter() - started
        await self._settled.wait()
        poller.cancel()
        return self._outcome.summary(self._sent, sending, answered) | {"rate_per_s": rate}

    async def _command(self, product: Editable) -> None:
        kind = self._rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        self._sent += 1
        token = f"rev{self._run}x{self._sent}"
        started = time.perf_counter()
        try:
            response = await self._send(kind, product, token)
        except httpx.HTTPError as error:
            self._outcome.commands.fail(f"{kind} {type(error).__name__}")
            return  # what the product holds now is unknown: it is edited no more
        committed = time.perf_counter()
        if response.status_code != 200:
            self._outcome.commands.fail(f"{kind} {response.status_code}")
            return
        self._outcome.commands.add(kind, committed - started)
        check = self._check(kind, product, token)
        if check is None:
            self._free.append(product)
        else:
            self._pending[token] = Pending(kind, check, committed)
            self._waiting[token] = product
            self._settled.clear()

    async def _send(self, kind: str, product: Editable, token: str) -> httpx.Response:
        if kind == "stock":
            sku = self._rng.choice(product.variants)["sku"]
            body = {"on_hand": self._rng.choice(STOCK_COUNTS)}
            return await self._http.put(
                f"/v1/admin/inventory/{sku}", json=body, headers=self._headers
            )
        if kind == "price":
            cheapest = product.cheapest
            price = cheapest["price"]
            price["amount"] = max(100, price["amount"] - self._rng.randint(1, 99))
            change: dict[str, Any] = {"variants": [{"sku": cheapest["sku"], "price": price}]}
        else:
            base = product.description.split(" Revision ")[0]
            product.description = f"{base} Revision {token}."
            change = {"description": product.description}
        return await self._http.patch(
            f"/v1/admin/products/{product.id}", json=change, headers=self._headers
        )

    def _check(self, kind: str, product: Editable, token: str) -> dict[str, Any] | None:
        """A query that finds the product only once the change is searchable."""
        if kind == "price":
            found_by = {"term": {"effective_price": product.cheapest["price"]["amount"]}}
        elif kind == "edit":
            found_by = {"term": {"search.description": index_text(token)}}
        else:
            return None
        return {"bool": {"filter": [{"ids": {"values": [product.id]}}, found_by], "_name": token}}

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL)
            if not self._pending:
                continue
            tokens = list(self._pending)
            try:
                response = await self._es.search(
                    index=self._alias,
                    query={"bool": {"should": [self._pending[t].check for t in tokens]}},
                    size=len(tokens),
                    source=False,
                )
            except Exception:  # noqa: S112 (a poll that failed is tried again)
                continue
            seen = time.perf_counter()
            for hit in response["hits"]["hits"]:
                for token in hit.get("matched_queries", []):
                    self._settle(token, seen, visible=True)
            for token in tokens:
                if token in self._pending and seen - self._pending[token].committed > GIVE_UP:
                    self._settle(token, seen, visible=False)

    def _settle(self, token: str, seen: float, *, visible: bool) -> None:
        pending = self._pending.pop(token)
        if visible:
            self._outcome.lags[pending.kind].append(seen - pending.committed)
            self._free.append(self._waiting.pop(token))
        else:
            self._outcome.not_visible += 1
            self._waiting.pop(token)
        if not self._pending:
            self._settled.set()
