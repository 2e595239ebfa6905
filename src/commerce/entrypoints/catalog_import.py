"""`commerce catalog import FILE`: a catalogue in JSON Lines, one product per line.

A line is the body of `POST /v1/admin/products`, decoded by the same rules (the route's own
body type, read as strictly), plus an optional `stock`: the units on hand of each SKU to start
with, e.g. `"stock": {"KT-1": 12}` (a SKU left out starts at 0). The products are written by
`application.catalog_import`: the aggregates, events and outbox of the API, many per
transaction.
"""

from __future__ import annotations

import codecs
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import msgspec

from commerce.application.catalog import CreateProduct
from commerce.application.catalog_import import (
    ImportLine,
    ImportReport,
    RejectedLine,
    import_products,
)
from commerce.container import build_container, close
from commerce.domain.catalog import Product
from commerce.domain.inventory import StockItem
from commerce.entrypoints.http.body_checks import InvalidBodyError, strict_body
from commerce.entrypoints.http.catalog import ProductBody, Quantity, Sku
from commerce.entrypoints.http.problems import field_error
from commerce.settings import Settings

BATCH_SIZE = 500


class ProductLine(ProductBody, frozen=True, kw_only=True):
    stock: Annotated[dict[Sku, Quantity], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=dict
    )

    def to_command(self) -> CreateProduct:
        return msgspec.structs.replace(super().to_command(), stock=dict(self.stock))


async def import_catalog(
    settings: Settings,
    lines: Iterable[bytes],
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[ImportReport], None] = lambda report: None,
) -> ImportReport:
    """Import JSON lines (bytes, as read from a file) into the database of `settings`."""
    container = build_container(settings)
    try:
        with collecting_rarely():
            return await import_products(
                read_lines(lines),
                container.uow,
                container.clock(),
                settings.currency,
                batch_size=batch_size,
                on_progress=on_progress,
            )
    finally:
        await close(container)


@contextmanager
def collecting_rarely() -> Iterator[None]:
    """An import makes millions of short-lived objects. At the collector's usual pace (a pass
    every 700 new ones, now and then over the whole heap of the loaded libraries) collecting
    took a quarter of its time; so what exists is frozen, and passes are rare meanwhile."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def read_lines(lines: Iterable[bytes]) -> Iterator[ImportLine | RejectedLine]:
    """Each line that is not blank, numbered from 1, as a command or the reason it is not
    one."""
    for number, raw in enumerate(lines, start=1):
        text = raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw
        if text.strip():
            yield decode_line(number, text)


def decode_line(number: int, raw: bytes) -> ImportLine | RejectedLine:
    try:
        document = msgspec.json.decode(raw.decode())
    except UnicodeDecodeError as error:
        return RejectedLine(number, f"not valid UTF-8 (byte {error.start + 1})")
    except RecursionError:
        return RejectedLine(number, "nested too deeply")
    except msgspec.DecodeError as error:
        return RejectedLine(number, f"not valid JSON: {error}")
    try:
        body: ProductLine = strict_body(document, ProductLine)
    except InvalidBodyError as error:
        found = [field_error(key, message) for key, message in error.problems]
        return RejectedLine(number, "; ".join(f"{e.field}: {e.message}" for e in found))
    return ImportLine(number, body.to_command())


def product_line(product: Product, stock: Iterable[StockItem] = ()) -> bytes:
    """The line that imports `product` (under a new id) with the stock of `stock`."""
    line: dict[str, Any] = msgspec.to_builtins(product.details) | {
        "variants": [
            {"sku": v.sku, "price": v.price, "attributes": v.attributes} for v in product.variants
        ],
        "stock": {item.sku: item.on_hand for item in stock},
    }
    return msgspec.json.encode(line) + b"\n"
