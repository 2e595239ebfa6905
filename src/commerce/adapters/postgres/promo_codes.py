"""Promo codes in PostgreSQL: one row per code (its terms a document, its redemptions counted),
and one row per order that redeemed it, written and deleted with the code's own row.

The redemption rows follow from the code's events (`PromoCodeRedeemed` inserts one,
`PromoCodeRedemptionReturned` deletes it), so they change in the same statement as the code's
version-checked row: two checkouts racing for the last redemption, or for a customer's last
use, cannot both commit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import bindparam, func, select

from commerce.adapters.postgres.bulk import DeleteRows, InsertRows
from commerce.adapters.postgres.prepared import Prepared, Row
from commerce.adapters.postgres.repository import TrackingRepository, row_writes
from commerce.adapters.postgres.tables import promo_code_redemptions, promo_codes
from commerce.adapters.postgres.writes import Write, fails_with
from commerce.domain.errors import AlreadyExistsError, ConcurrencyError, NotFoundError
from commerce.domain.pricing import (
    PromoCode,
    PromoCodeRedeemed,
    PromoCodeRedemptionReturned,
    PromoTerms,
)

# The check that refuses a redemption beyond `max_redemptions` (the version check comes first).
_WITHIN_LIMITS = "ck_promo_codes_redeemed_within_limits"


class PostgresPromoCodeRepository(TrackingRepository[PromoCode]):
    async def get(self, code: str) -> PromoCode:
        row = await self.connection.fetch_one(_BY_CODE, {"code": code})
        if row is None:
            raise NotFoundError(f"no promo code {code}")
        return self._track(promo_code_from_row(row))

    async def find_for(self, code: str, customer_id: UUID | None) -> tuple[PromoCode, int] | None:
        values = {"code": code, "customer_id": customer_id}
        row = await self.connection.fetch_one(_FOR_CUSTOMER, values)
        if row is None:
            return None
        return self._track(promo_code_from_row(row)), int(row["customer_redemptions"])

    def writes(self, changes: Sequence[tuple[PromoCode, int]]) -> list[Write]:
        writes = [
            dataclasses.replace(write, constraints=frozenset({_WITHIN_LIMITS}))
            for write in row_writes(promo_codes, "code", changes, _row, "promo code")
        ]
        return writes + _redemption_writes([promo for promo, _ in changes])


def _redemption_writes(saved: Sequence[PromoCode]) -> list[Write]:
    """The rows the codes' pending events add and remove (read before they are pulled)."""
    redeemed: list[dict[str, Any]] = []
    returned: list[UUID] = []
    for promo in saved:
        for event in promo.pending_events:
            if isinstance(event, PromoCodeRedeemed):
                redeemed.append(
                    {
                        "order_id": event.order_id,
                        "code": event.code,
                        "customer_id": event.customer_id,
                        "redeemed_at": event.at,
                    }
                )
            elif isinstance(event, PromoCodeRedemptionReturned):
                returned.append(event.order_id)
    writes = []
    if redeemed:
        ids = ", ".join(str(row["order_id"]) for row in redeemed)
        failure = fails_with(lambda: AlreadyExistsError(f"order {ids} redeemed a code already"))
        writes.append(Write(_REDEEMED, _REDEEMED.values(redeemed), len(redeemed), failure))
    if returned:
        # Any number: a redemption given back is gone, whoever deleted it (the code's version
        # check already stops a second give-back racing this one).
        failure = fails_with(lambda: ConcurrencyError("a redemption was given back twice"))
        writes.append(Write(_RETURNED, {"order_id": returned}, None, failure))
    return writes


_REDEEMED = InsertRows(
    promo_code_redemptions,
    ("order_id", "code", "customer_id", "redeemed_at"),
    "order_id",
    on_conflict="nothing",
)
_RETURNED = DeleteRows(promo_code_redemptions, "order_id")
_CODE = bindparam("code", type_=promo_codes.c.code.type)
_BY_CODE = Prepared(select(promo_codes).where(promo_codes.c.code == _CODE))
_CUSTOMER_REDEMPTIONS = (
    select(func.count())
    .where(
        promo_code_redemptions.c.code == promo_codes.c.code,
        promo_code_redemptions.c.customer_id
        == bindparam("customer_id", type_=promo_code_redemptions.c.customer_id.type),
    )
    .scalar_subquery()
)
# One statement, so the count is the one of the version the code is read at.
_FOR_CUSTOMER = Prepared(
    select(promo_codes, _CUSTOMER_REDEMPTIONS.label("customer_redemptions")).where(
        promo_codes.c.code == _CODE
    )
)


def _row(promo: PromoCode) -> dict[str, Any]:
    return {
        "code": promo.code,
        "version": promo.version,
        "terms": msgspec.to_builtins(promo.terms),
        "max_redemptions": promo.terms.max_redemptions,
        "redeemed": promo.redeemed,
        "disabled": promo.disabled,
        "created_at": promo.created_at,
    }


def promo_code_from_row(row: Row) -> PromoCode:
    return PromoCode(
        code=row["code"],
        terms=msgspec.convert(row["terms"], PromoTerms),
        created_at=row["created_at"],
        redeemed=row["redeemed"],
        disabled=row["disabled"],
        version=row["version"],
    )
