"""The `carts` read model's document: one per customer, holding the lines and the promo code of
the newest cart event (no Elasticsearch here)."""

from __future__ import annotations

from typing import Any

import msgspec

from commerce.domain.cart import CartLine


class CartSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """A cart as one event left it."""

    customer_id: str
    version: int
    lines: list[CartLine]
    promo_code: str | None = None


def document(snapshot: CartSnapshot) -> dict[str, Any]:
    return {
        "customer_id": snapshot.customer_id,
        "lines": msgspec.to_builtins(snapshot.lines),
        "promo_code": snapshot.promo_code,
        "version": snapshot.version,
    }
