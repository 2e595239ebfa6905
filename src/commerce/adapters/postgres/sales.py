"""Sales in PostgreSQL: one row per sale; the products it names, its categories and its brand
keys are JSON arrays of strings, so the sales in force for some products are found with `?|`."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import Integer, Text, any_, bindparam, func, not_, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from commerce.adapters.postgres.prepared import Prepared, Row
from commerce.adapters.postgres.repository import TrackingRepository, row_writes
from commerce.adapters.postgres.tables import sales
from commerce.adapters.postgres.writes import Write
from commerce.domain.catalog import category_paths
from commerce.domain.errors import NotFoundError
from commerce.domain.pricing import ProductRef, Sale, SaleTerms, brand_key


class PostgresSaleRepository(TrackingRepository[Sale]):
    async def get(self, sale_id: UUID) -> Sale:
        row = await self.connection.fetch_one(_BY_ID, {"id": sale_id})
        if row is None:
            raise NotFoundError(f"no sale {sale_id}")
        return self._track(sale_from_row(row))

    async def due(self, now: datetime, limit: int) -> list[UUID]:
        rows = await self.connection.fetch(_DUE, {"now": now, "limit": limit})
        return [row["id"] for row in rows]

    async def in_force(self, at: datetime, products: Collection[ProductRef]) -> list[Sale]:
        if not products:
            return []
        values = {
            "at": at,
            "ids": [str(product.product_id) for product in products],
            "paths": sorted({path for p in products for path in category_paths(p.category)}),
            "brands": sorted({brand_key(product.brand) for product in products}),
        }
        return [sale_from_row(row) for row in await self.connection.fetch(_IN_FORCE, values)]

    def writes(self, changes: Sequence[tuple[Sale, int]]) -> list[Write]:
        return row_writes(sales, "id", changes, sale_row, "sale")


def _param(name: str) -> Any:
    return bindparam(name, type_=sales.c[name].type)


_BY_ID = Prepared(select(sales).where(sales.c.id == _param("id")))
_DUE = Prepared(
    select(sales.c.id)
    .where(sales.c.next_due_at <= bindparam("now", type_=sales.c.next_due_at.type))
    .order_by(sales.c.next_due_at)
    .limit(bindparam("limit", type_=Integer()))
)
_IDS = bindparam("ids", type_=ARRAY(Text))
_AT = bindparam("at", type_=sales.c.starts_at.type)
_NAMED = func.jsonb_array_elements_text(sales.c.product_ids).table_valued("id").render_derived()
# Of the (up to 10 000) products a sale names, only those asked about are read.
_NAMED_ASKED_ABOUT = (
    select(func.jsonb_agg(_NAMED.c.id))
    .where(_NAMED.c.id == any_(_IDS))
    .scalar_subquery()
    .label("product_ids")
)
_IN_FORCE = Prepared(
    select(*(c for c in sales.c if c.name != "product_ids"), _NAMED_ASKED_ABOUT)
    .where(
        not_(sales.c.deleted),
        sales.c.starts_at <= _AT,
        sales.c.ends_at > _AT,
        or_(
            sales.c.product_ids.has_any(_IDS),
            sales.c.categories.has_any(bindparam("paths", type_=ARRAY(Text))),
            sales.c.brand_keys.has_any(bindparam("brands", type_=ARRAY(Text))),
        ),
    )
    .order_by(sales.c.id)
)


def sale_row(sale: Sale) -> dict[str, Any]:
    terms, targets = sale.terms, sale.terms.applies_to
    unnamed = msgspec.structs.replace(targets, product_ids=frozenset())
    return {
        "id": sale.id,
        "version": sale.version,
        "terms": msgspec.to_builtins(msgspec.structs.replace(terms, applies_to=unnamed)),
        "product_ids": sorted(str(product_id) for product_id in targets.product_ids),
        "categories": list(targets.categories),
        "brand_keys": sorted({brand_key(brand) for brand in targets.brands}),
        "starts_at": terms.starts_at,
        "ends_at": terms.ends_at,
        "created_at": sale.created_at,
        "started": sale.started,
        "ended": sale.ended,
        "ended_early": sale.ended_early,
        "deleted": sale.deleted,
        "next_due_at": sale.next_due_at,
    }


def sale_from_row(row: Row) -> Sale:
    terms = msgspec.convert(row["terms"], SaleTerms)
    named = frozenset(map(UUID, row["product_ids"] or ()))
    targets = msgspec.structs.replace(terms.applies_to, product_ids=named)
    return Sale(
        sale_id=row["id"],
        terms=msgspec.structs.replace(terms, applies_to=targets),
        created_at=row["created_at"],
        started=row["started"],
        ended=row["ended"],
        ended_early=row["ended_early"],
        deleted=row["deleted"],
        version=row["version"],
    )
