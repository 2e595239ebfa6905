"""The search bench's query mix: what shoppers ask, as API query parameters, drawn from the
demo catalogue's own words (`commerce.entrypoints.seed`)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from commerce.entrypoints.seed import ADJECTIVES, KINDS, Kind
from commerce.ports.product_search import ProductQuery

Params = dict[str, Any]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _full_text(kind: Kind, rng: random.Random) -> Params:
    return {"q": f"{rng.choice(ADJECTIVES).lower()} {rng.choice(kind.nouns)}"}


def _full_text_typo(kind: Kind, rng: random.Random) -> Params:
    return {"q": _typo(rng.choice(kind.nouns).split()[-1], rng)}


def _filtered(kind: Kind, rng: random.Random) -> Params:
    low = rng.randrange(*kind.price_range)
    return {
        "category": kind.category,
        "brand": rng.sample(kind.brands, 2),
        "price_min": low,
        "price_max": low + 20_000,
        "in_stock": "true",
    }


def _faceted_browse(kind: Kind, rng: random.Random) -> Params:
    return {"category": kind.category.split("/")[0]}


def _sorted(kind: Kind, rng: random.Random) -> Params:
    return {"category": kind.category, "sort": rng.choice(["price_asc", "price_desc", "newest"])}


def _deep_pages(kind: Kind, rng: random.Random) -> Params:
    return {"category": kind.category.split("/")[0], "sort": "price_asc"}


def _suggest(kind: Kind, rng: random.Random) -> Params:
    return {"q": rng.choice(kind.brands)[: rng.randint(3, 5)].lower()}


# (kind, share of requests, parameters)
MIX: list[tuple[str, float, Callable[[Kind, random.Random], Params]]] = [
    ("full_text", 0.25, _full_text),
    ("full_text_typo", 0.10, _full_text_typo),
    ("filtered", 0.20, _filtered),
    ("faceted_browse", 0.15, _faceted_browse),
    ("sorted", 0.15, _sorted),
    ("deep_pages", 0.07, _deep_pages),
    ("suggest", 0.08, _suggest),
]
KIND_NAMES = [name for name, _, _ in MIX]
# Pages a request of a kind reads, following the cursor.
PAGES = {"deep_pages": 5}


def query_mix(rng: random.Random) -> tuple[str, Params]:
    """One request of the mix as (kind, API query parameters)."""
    name, _, build = rng.choices(MIX, weights=[share for _, share, _ in MIX])[0]
    return name, build(rng.choice(KINDS), rng)


def query_of_kind(name: str, rng: random.Random) -> Params:
    """A request of one kind of the mix (the one-client runs go kind by kind)."""
    build = next(build for kind, _, build in MIX if kind == name)
    return build(rng.choice(KINDS), rng)


def to_query(params: Params) -> ProductQuery:
    """What the API decodes these parameters into (so the direct runs ask the same)."""

    def many(name: str) -> tuple[str, ...]:
        value = params.get(name)
        return tuple(value) if isinstance(value, list) else ((value,) if value else ())

    return ProductQuery(
        q=params.get("q"),
        categories=many("category"),
        brands=many("brand"),
        price_min=params.get("price_min"),
        price_max=params.get("price_max"),
        in_stock=True if params.get("in_stock") == "true" else None,
        sort=params.get("sort"),
        cursor=params.get("cursor"),
    )
