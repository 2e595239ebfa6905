"""Products and their variants in PostgreSQL."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, Text, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import ReturningInsert

from commerce.adapters.postgres.bulk import insert_rows
from commerce.adapters.postgres.repository import TrackingRepository, row_writes
from commerce.adapters.postgres.tables import product_variants, products, stock_items
from commerce.adapters.postgres.writes import Executor, Write
from commerce.domain.catalog import DuplicateSkuError, Product, ProductDetails, Variant
from commerce.domain.errors import NotFoundError
from commerce.domain.pricing import Offer
from commerce.domain.values import Money


class PostgresProductRepository(TrackingRepository[Product]):
    async def get(self, product_id: UUID) -> Product:
        row = (
            (await self.connection.execute(select(products).where(products.c.id == product_id)))
            .mappings()
            .one_or_none()
        )
        if row is None:
            raise NotFoundError(f"no product {product_id}")
        variants = await self.connection.execute(
            select(product_variants)
            .where(product_variants.c.product_id == product_id)
            .order_by(product_variants.c.position)
        )
        return self._track(product_from_rows(row, list(variants.mappings())))

    async def offers(self, skus: Iterable[str]) -> dict[str, Offer]:
        """Current price and availability of each known SKU (not guarded: the stock items
        a checkout changes are version-checked when it commits)."""
        rows = (await self.connection.execute(offers_query(skus))).mappings()
        return {row["sku"]: offer_from_row(row) for row in rows}

    async def owners(self, skus: Iterable[str]) -> dict[str, Product]:
        wanted = set(skus)
        owning = select(product_variants.c.product_id).where(
            product_variants.c.sku == any_(bindparam("skus", list(wanted), type_=ARRAY(Text)))
        )
        query = select(products).where(products.c.id.in_(owning))
        rows = (await self.connection.execute(query)).mappings().all()
        if not rows:
            return {}
        variants = await self.connection.execute(
            select(product_variants)
            .where(product_variants.c.product_id.in_([row["id"] for row in rows]))
            .order_by(product_variants.c.position)
        )
        by_product = defaultdict(list)
        for variant in variants.mappings():
            by_product[variant["product_id"]].append(variant)
        found = [product_from_rows(row, by_product[row["id"]]) for row in rows]
        return {v.sku: product for product in found for v in product.variants if v.sku in wanted}

    def writes(self, changes: Sequence[tuple[Product, int]]) -> list[Write]:
        writes = row_writes(products, "id", changes, _product_row, "product")
        if changes:
            writes.append(_variants_write([product for product, _ in changes]))
        return writes


def _variants_write(saved: Sequence[Product]) -> Write:
    # In SKU order, the order every writer inserts SKUs in: two statements that want
    # overlapping SKUs wait for each other instead of deadlocking.
    rows = sorted(
        (_variant_row(p.id, position, v) for p in saved for position, v in enumerate(p.variants)),
        key=lambda row: row["sku"],
    )
    skus = [row["sku"] for row in rows]
    if repeated := sorted(sku for sku, count in Counter(skus).items() if count > 1):
        raise DuplicateSkuError(f"SKU given to several products: {', '.join(repeated)}")
    owners = {row["sku"]: row["product_id"] for row in rows}

    async def taken(connection: Executor) -> Exception:
        query = select(product_variants.c.sku, product_variants.c.product_id).where(
            product_variants.c.sku == any_(bindparam("skus", skus, ARRAY(Text)))
        )
        found = (await connection.execute(query)).all()
        others = sorted(row.sku for row in found if owners[row.sku] != row.product_id)
        return DuplicateSkuError(f"SKU already used by another product: {', '.join(others)}")

    return Write(_upsert_variants(rows), len(rows), taken)


def _columns(product: Product) -> dict[str, Any]:
    details = product.details
    return {
        "name": details.name,
        "description": details.description,
        "brand": details.brand,
        "category": details.category,
        "images": details.images,
        "attributes": details.attributes,
        "archived": product.archived,
        "created_at": product.created_at,
    }


def _product_row(product: Product) -> dict[str, Any]:
    return {"id": product.id, "version": product.version, **_columns(product)}


def _variant_row(product_id: UUID, position: int, variant: Variant) -> dict[str, Any]:
    return {
        "sku": variant.sku,
        "product_id": product_id,
        "position": position,
        "price_amount": variant.price.amount,
        "currency": variant.price.currency,
        "attributes": variant.attributes,
        "retired": variant.retired,
    }


def _upsert_variants(rows: Sequence[dict[str, Any]]) -> ReturningInsert[Any]:
    # A SKU of another product is not overwritten: the WHERE leaves that row alone and
    # RETURNING leaves it out. Concurrent inserts of one SKU serialise on the key.
    statement = insert_rows(product_variants, rows)
    return statement.on_conflict_do_update(
        index_elements=[product_variants.c.sku],
        set_={
            name: statement.excluded[name]
            for name in ("position", "price_amount", "currency", "attributes", "retired")
        },
        where=product_variants.c.product_id == statement.excluded.product_id,
    ).returning(product_variants.c.sku)


def offers_query(skus: Iterable[str], *columns: Any) -> Select[Any]:
    """Each known SKU's price and availability (and `columns`, of the tables it joins)."""
    return (
        select(
            product_variants.c.sku,
            product_variants.c.product_id,
            product_variants.c.price_amount,
            product_variants.c.currency,
            product_variants.c.retired,
            products.c.name,
            products.c.images,
            products.c.archived,
            stock_items.c.on_hand,
            stock_items.c.reserved,
            *columns,
        )
        .join(products, products.c.id == product_variants.c.product_id)
        .join(stock_items, stock_items.c.sku == product_variants.c.sku)
        .where(product_variants.c.sku == any_(bindparam("skus", sorted(set(skus)), ARRAY(Text))))
        .order_by(product_variants.c.sku)
    )


def offer_from_row(row: RowMapping) -> Offer:
    return Offer(
        sku=row["sku"],
        product_id=row["product_id"],
        name=row["name"],
        image=row["images"][0] if row["images"] else None,
        unit_price=Money(row["price_amount"], row["currency"]),
        available=row["on_hand"] - row["reserved"],
        purchasable=not (row["archived"] or row["retired"]),
    )


def product_from_rows(row: RowMapping, variants: list[RowMapping]) -> Product:
    return Product(
        product_id=row["id"],
        details=ProductDetails(
            name=row["name"],
            description=row["description"],
            brand=row["brand"],
            category=row["category"],
            images=row["images"],
            attributes=row["attributes"],
        ),
        variants=[
            Variant(
                sku=v["sku"],
                price=Money(v["price_amount"], v["currency"]),
                attributes=v["attributes"],
                retired=v["retired"],
            )
            for v in variants
        ],
        created_at=row["created_at"],
        archived=row["archived"],
        version=row["version"],
    )


async def catalog_is_empty(connection: AsyncConnection) -> bool:
    return (await connection.execute(select(products.c.id).limit(1))).first() is None
