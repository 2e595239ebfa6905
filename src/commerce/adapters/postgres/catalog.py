"""Products and their variants in PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from commerce.adapters.postgres.repository import TrackingRepository
from commerce.adapters.postgres.tables import product_variants, products, stock_items
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
        """Current price and availability of each known SKU (not locked: checkout locks the
        stock rows itself, in SKU order)."""
        query = (
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
            )
            .join(products, products.c.id == product_variants.c.product_id)
            .join(stock_items, stock_items.c.sku == product_variants.c.sku)
            .where(product_variants.c.sku.in_(sorted(set(skus))))
        )
        rows = (await self.connection.execute(query)).mappings()
        return {
            row["sku"]: Offer(
                sku=row["sku"],
                product_id=row["product_id"],
                name=row["name"],
                image=row["images"][0] if row["images"] else None,
                unit_price=Money(row["price_amount"], row["currency"]),
                available=row["on_hand"] - row["reserved"],
                purchasable=not (row["archived"] or row["retired"]),
            )
            for row in rows
        }

    async def save(self, product: Product, expected_version: int) -> None:
        if expected_version == 0:
            await self.connection.execute(
                insert(products).values(id=product.id, version=product.version, **_columns(product))
            )
        else:
            await self._update_versioned(
                products, product.id, product, expected_version, _columns(product)
            )
        await self._save_variants(product)

    async def _save_variants(self, product: Product) -> None:
        rows = [
            _variant_row(product.id, position, v) for position, v in enumerate(product.variants)
        ]
        statement = pg_insert(product_variants).values(rows)
        # A SKU of another product is not overwritten: the WHERE leaves that row alone and
        # RETURNING tells us it was refused. Concurrent inserts of one SKU serialise on the key.
        upsert = statement.on_conflict_do_update(
            index_elements=[product_variants.c.sku],
            set_={
                "position": statement.excluded.position,
                "price_amount": statement.excluded.price_amount,
                "currency": statement.excluded.currency,
                "attributes": statement.excluded.attributes,
                "retired": statement.excluded.retired,
            },
            where=product_variants.c.product_id == statement.excluded.product_id,
        ).returning(product_variants.c.sku)
        saved = set((await self.connection.execute(upsert)).scalars())
        if taken := sorted({v.sku for v in product.variants} - saved):
            raise DuplicateSkuError(f"SKU already used by another product: {', '.join(taken)}")


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
