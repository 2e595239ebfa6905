"""The `promotions` index: its mapping and the alias its readers and writers name.

One index holds both kinds staff list, `sale` and `promo_code` documents (`kind`): they are
few, are read by the same few fields (created, starts, ends), and are projected, verified and
rebuilt the same way, so one index, one projection and one rebuild serve both. The alias
`<prefix>-promotions` points at `<prefix>-promotions-v<N>`. Instants are `date_nanos`, so a
status filtered at an instant agrees with the status shown (`PromoCode.status`, `Sale.status`
compare microseconds).
"""

from __future__ import annotations

from typing import Any

from projections.indices import alias_of

NAME = "promotions"
# Bump on a change the server cannot apply in place (a field's type); then rebuild.
MAPPING_VERSION = 1

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "_meta": {"model": NAME, "mapping_version": MAPPING_VERSION},
    "properties": {
        "id": {"type": "keyword"},  # `<kind>:<key>`, as `_id`: what verify sorts by
        "kind": {"type": "keyword"},
        "key": {"type": "keyword"},  # the sale's id or the code: the newest-first tiebreak
        # Created, and (a sale) not deleted: what staff lists and reads show.
        "listed": {"type": "boolean"},
        "created_at": {"type": "date_nanos"},
        "starts_at": {"type": "date_nanos"},
        "ends_at": {"type": "date_nanos"},
        "disabled": {"type": "boolean"},
        # A code's redemptions left (none: no limit); `exhausted` is `remaining <= 0`, a
        # comparison of two fields the bare server cannot make at query time.
        "remaining": {"type": "long"},
        "version": {"type": "long"},
        "state": {"type": "object", "enabled": False},
    },
}


def alias_name(index_prefix: str) -> str:
    return alias_of(index_prefix, NAME)
