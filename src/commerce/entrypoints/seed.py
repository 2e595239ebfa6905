"""`commerce seed`: a realistic demo catalogue, generated locally and written through the
unit of work, so its events flow through the outbox to the read models like any other."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from faker import Faker

from commerce.domain.catalog import Product, ProductDetails, Variant
from commerce.domain.inventory import StockItem
from commerce.domain.values import Money
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True)
class Kind:
    category: str
    nouns: tuple[str, ...]
    brands: tuple[str, ...]
    price_range: tuple[int, int]  # minor units
    variant_attribute: str
    variant_values: tuple[str, ...]
    attributes: dict[str, tuple[str, ...]]


KINDS = (
    Kind(
        "electronics/phones",
        ("smartphone", "phone"),
        ("Nokia", "Motorola", "Fairphone", "Xiaomi"),
        (9_900, 129_900),
        "storage",
        ("64 GB", "128 GB", "256 GB"),
        {"color": ("black", "blue", "green", "white")},
    ),
    Kind(
        "electronics/laptops",
        ("laptop", "notebook", "ultrabook"),
        ("Lenovo", "Dell", "Asus", "Acer"),
        (39_900, 249_900),
        "memory",
        ("8 GB", "16 GB", "32 GB"),
        {"screen": ("13 in", "14 in", "15 in")},
    ),
    Kind(
        "electronics/headphones",
        ("headphones", "earbuds", "headset"),
        ("Sennheiser", "Sony", "JBL", "Bose"),
        (1_900, 39_900),
        "color",
        ("black", "white", "silver"),
        {"connection": ("bluetooth", "wired")},
    ),
    Kind(
        "kitchen/kettles",
        ("kettle", "electric kettle"),
        ("Bosch", "Tefal", "Russell Hobbs", "Krups"),
        (1_990, 12_990),
        "color",
        ("red", "black", "steel", "cream"),
        {"capacity": ("1.0 l", "1.5 l", "1.7 l")},
    ),
    Kind(
        "kitchen/coffee",
        ("espresso machine", "coffee grinder", "café press"),
        ("De'Longhi", "Gaggia", "Melitta", "Café Crème"),
        (2_990, 89_990),
        "color",
        ("black", "silver", "red"),
        {"material": ("steel", "plastic", "glass")},
    ),
    Kind(
        "home/furniture",
        ("armchair", "bookshelf", "desk", "sofa"),
        ("Müller Möbel", "Habitat", "Muuto", "Hay"),
        (4_900, 199_900),
        "color",
        ("oak", "walnut", "white", "grey"),
        {"material": ("wood", "metal", "fabric")},
    ),
    Kind(
        "sports/running",
        ("running shoes", "trail shoes", "running jacket"),
        ("Asics", "Brooks", "Salomon", "Hoka"),
        (4_990, 21_990),
        "size",
        ("38", "40", "42", "44", "46"),
        {"color": ("blue", "black", "orange", "yellow")},
    ),
    Kind(
        "books/fiction",
        ("novel", "paperback", "hardcover"),
        ("Penguin", "Gallimard", "Suhrkamp", "Vintage"),
        (799, 3_499),
        "format",
        ("paperback", "hardcover", "e-book"),
        {"language": ("en", "fr", "de")},
    ),
)

ADJECTIVES = (
    "Compact",
    "Classic",
    "Pro",
    "Quiet",
    "Ultra",
    "Smart",
    "Essential",
    "Premium",
    "Lightweight",
    "Rugged",
    "Élégant",
    "Vintage",
    "Eco",
    "Turbo",
    "Mini",
    "Max",
)


def generate_products(
    count: int, currency: str, clock: Clock, seed: int = 42
) -> Iterator[tuple[Product, list[StockItem]]]:
    faker = Faker(["en_US"])
    faker.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    for _ in range(count):
        kind = rng.choice(KINDS)
        serial = rng.getrandbits(48)
        product_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        brand = rng.choice(kind.brands)
        name = (
            f"{brand} {rng.choice(ADJECTIVES)} {rng.choice(kind.nouns)} {faker.word().capitalize()}"
        )
        base = rng.randrange(*kind.price_range)
        values = rng.sample(kind.variant_values, k=rng.randint(1, min(3, len(kind.variant_values))))
        variants = [
            Variant(
                sku=f"{kind.category.split('/')[1][:4].upper()}-{serial:012X}-{index}",
                price=Money(base + index * rng.choice((0, 500, 1000)), currency),
                attributes={kind.variant_attribute: value},
            )
            for index, value in enumerate(values)
        ]
        details = ProductDetails(
            name=name,
            description=" ".join(faker.sentences(nb=3)),
            brand=brand,
            category=kind.category,
            images=[f"https://images.example.com/{product_id}.jpg"],
            attributes={key: rng.choice(options) for key, options in kind.attributes.items()},
        )
        product = Product.create(
            product_id=product_id,
            details=details,
            variants=variants,
            currency=currency,
            now=clock.now(),
        )
        stock = [
            StockItem.open(v.sku, product_id, on_hand=rng.choice((0, 0, 3, 10, 25, 100)))
            for v in variants
        ]
        yield product, stock


async def seed_catalog(
    new_uow: UnitOfWorkFactory,
    clock: Clock,
    count: int,
    *,
    currency: str,
    seed: int,
    batch: int = 250,
) -> int:
    """Write `count` products in transactions of `batch`; return how many were written."""
    written = 0
    products = generate_products(count, currency, clock, seed)
    while written < count:
        async with new_uow() as uow:
            for product, stock in _take(products, min(batch, count - written)):
                uow.products.add(product)
                for item in stock:
                    uow.stock.add(item)
                written += 1
            await uow.commit()
    return written


def _take(
    items: Iterator[tuple[Product, list[StockItem]]], count: int
) -> Iterator[tuple[Product, list[StockItem]]]:
    for _ in range(count):
        yield next(items)
