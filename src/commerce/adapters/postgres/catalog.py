"""Products and their variants in PostgreSQL."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Select, Text, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from commerce.adapters.postgres.bulk import InsertRows, Upsert
from commerce.adapters.postgres.prepared import Prepared, Row
from commerce.adapters.postgres.repository import TrackingRepository, row_writes
from commerce.adapters.postgres.session import Session
from commerce.adapters.postgres.tables import product_variants, products, stock_items
from commerce.adapters.postgres.writes import Write
from commerce.domain.catalog import DuplicateSkuError, Product, ProductDetails, Variant
from commerce.domain.errors import NotFoundError
from commerce.domain.pricing import Offer
from commerce.domain.values import Money


class PostgresProductRepository(TrackingRepository[Product]):
    async def get(self, product_id: UUID) -> Product:
        found = await self._with_variants([product_id])
        if not found:
            raise NotFoundError(f"no product {product_id}")
        return self._track(found[0])

    async def offers(self, skus: Iterable[str]) -> dict[str, Offer]:
        """Current price and availability of each known SKU (not guarded: the stock items
        a checkout changes are version-checked when it commits)."""
        rows = await self.connection.fetch(_OFFERS, {"skus": sorted(set(skus))})
        return {row["sku"]: offer_from_row(row) for row in rows}

    async def owners(self, skus: Iterable[str]) -> dict[str, Product]:
        wanted = set(skus)
        rows = await self.connection.fetch(_OWNERS, {"skus": sorted(wanted)})
        found = await self._with_variants([row["product_id"] for row in rows])
        return {v.sku: product for product in found for v in product.variants if v.sku in wanted}

    async def _with_variants(self, ids: list[UUID]) -> list[Product]:
        """The products of `ids` (those that exist), each with its variants: two round trips."""
        if not ids:
            return []
        rows = await self.connection.fetch(_PRODUCTS, {"ids": ids})
        by_product = defaultdict(list)
        for variant in await self.connection.fetch(_VARIANTS, {"ids": ids}):
            by_product[variant["product_id"]].append(variant)
        return [product_from_rows(row, by_product[row["id"]]) for row in rows]

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

    async def taken(session: Session) -> Exception:
        found = await session.fetch(_OWNERS, {"skus": skus})
        others = sorted(row["sku"] for row in found if owners[row["sku"]] != row["product_id"])
        return DuplicateSkuError(f"SKU already used by another product: {', '.join(others)}")

    return Write(_UPSERT_VARIANTS, _UPSERT_VARIANTS.values(rows), len(rows), taken)


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


# A SKU of another product is not overwritten: that row is left alone, and missing from
# RETURNING. Concurrent inserts of one SKU serialise on the key.
_VARIANT_COLUMNS = ("position", "price_amount", "currency", "attributes", "retired")
_UPSERT_VARIANTS = InsertRows(
    product_variants,
    ("sku", "product_id", *_VARIANT_COLUMNS),
    "sku",
    on_conflict=Upsert("sku", _VARIANT_COLUMNS, owner="product_id"),
)


def offers_query(*columns: Any) -> Select[Any]:
    """Each known SKU of the parameter `skus` (sorted, unique), its price and availability (and
    `columns`, of the tables it joins)."""
    return (
        select(
            product_variants.c.sku,
            product_variants.c.product_id,
            product_variants.c.price_amount,
            product_variants.c.currency,
            product_variants.c.retired,
            products.c.name,
            products.c.images,
            products.c.category,
            products.c.brand,
            products.c.archived,
            stock_items.c.on_hand,
            stock_items.c.reserved,
            *columns,
        )
        .join(products, products.c.id == product_variants.c.product_id)
        .join(stock_items, stock_items.c.sku == product_variants.c.sku)
        .where(product_variants.c.sku == any_(bindparam("skus", type_=ARRAY(Text))))
        .order_by(product_variants.c.sku)
    )


_OFFERS = Prepared(offers_query())
_IDS = bindparam("ids", type_=ARRAY(products.c.id.type))
_OWNERS = Prepared(
    select(product_variants.c.sku, product_variants.c.product_id).where(
        product_variants.c.sku == any_(bindparam("skus", type_=ARRAY(Text)))
    )
)
_PRODUCTS = Prepared(select(products).where(products.c.id == any_(_IDS)))
_VARIANTS = Prepared(
    select(product_variants)
    .where(product_variants.c.product_id == any_(_IDS))
    .order_by(product_variants.c.product_id, product_variants.c.position)
)


def offer_from_row(row: Row) -> Offer:
    return Offer(
        sku=row["sku"],
        product_id=row["product_id"],
        name=row["name"],
        image=row["images"][0] if row["images"] else None,
        unit_price=Money(row["price_amount"], row["currency"]),
        available=row["on_hand"] - row["reserved"],
        purchasable=not (row["archived"] or row["retired"]),
        category=row["category"],
        brand=row["brand"],
    )


def product_from_rows(row: Row, variants: Sequence[Row]) -> Product:
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
