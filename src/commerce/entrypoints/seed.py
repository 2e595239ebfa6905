"""`commerce seed`: a realistic demo catalogue, generated locally and written through the
unit of work, so its events flow through the outbox to the read models like any other.

Its pictures are the storefront's own static files (`web/static/demo/`, one per kind), so the
demo shows them on a machine without internet. The API stores absolute image addresses: the
seed writes them under the address the shop is reached at (`image_base_url`)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from faker import Faker

from commerce.domain.catalog import Product, ProductDetails, Variant
from commerce.domain.inventory import StockItem
from commerce.domain.values import Money
from commerce.entrypoints.web.assets import STATIC_PATH
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


def picture(kind: Kind) -> str:
    """The kind's picture, a path under the storefront's static folder."""
    return f"demo/{kind.category.rpartition('/')[2]}.svg"


def checked_image_base(value: str) -> str:
    """`value` if it is an http(s) address to put the pictures' paths after (no query, no
    fragment), without its last slash; else a ValueError saying why."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http:// or https:// address with a host")
    if parts.query or parts.fragment or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} has a query, a fragment or a space: give scheme, host, path")
    return value.rstrip("/")


def generate_products(
    count: int, currency: str, clock: Clock, seed: int = 42, *, image_base_url: str
) -> Iterator[tuple[Product, list[StockItem]]]:
    """`count` products with their stock; raises ValueError at once for a bad image address."""
    images = f"{checked_image_base(image_base_url)}{STATIC_PATH}"
    return _products(count, currency, clock, seed, images)


def _products(
    count: int, currency: str, clock: Clock, seed: int, images: str
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
            images=[f"{images}/{picture(kind)}"],
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
    image_base_url: str,
    batch: int = 250,
) -> int:
    """Write `count` products in transactions of `batch`, their pictures under
    `image_base_url`; return how many were written."""
    written = 0
    products = generate_products(count, currency, clock, seed, image_base_url=image_base_url)
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
