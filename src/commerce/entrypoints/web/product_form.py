"""The product form: its fields as `/v1/admin/products` bodies, and a product as its fields.

Variants are rows `sku-N`, `price-N`, `options-N`; a row of a variant the product has already
carries `existing-N` (its SKU and options are fixed: the catalogue re-prices and retires a
variant, it does not rename it) and `was-price-N`, so only a price that changed is sent. An
edit form carries `version`, the product's version it was drawn from: the change is made only
if the product is still at it (as the API's `If-Match`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from commerce.domain.errors import DomainValidationError
from commerce.entrypoints.http.catalog import ProductBody
from commerce.entrypoints.web.forms import convert
from commerce.entrypoints.web.staff_forms import lines, money, options, present
from commerce.ports.product_search import ProductView

T = TypeVar("T")
NEW_ROWS = 2  # empty rows for new variants; a page with more adds them in turn
MAX_ROWS = 100
DETAILS = ("name", "brand", "category", "description")
_VARIANT_PATH = re.compile(r"^variants\[(\d+)\]\.?")


def decoded(form: Mapping[str, str], currency: str, kind: type[T]) -> T:
    """The form as `ProductBody` (a new product) or `ProductPatch` (a change), checked by the
    API's own Struct; a refusal names the row staff typed in."""
    build = product_body if kind is ProductBody else product_patch
    data, rows = build(form, currency)
    try:
        return convert(data, kind)
    except DomainValidationError as error:
        raise renamed(error, rows) from None


def product_body(form: Mapping[str, str], currency: str) -> tuple[dict[str, Any], list[int]]:
    """A `ProductBody` to convert, and the row of each of its variants (rows left empty are
    not variants)."""
    rows = _filled_rows(form)
    variants = [_new_variant(form, n, currency) for n in rows]
    details = present({k: form.get(k, "").strip() for k in DETAILS})
    return details | {"images": lines(form, "images"), "variants": variants}, rows


def product_patch(form: Mapping[str, str], currency: str) -> tuple[dict[str, Any], list[int]]:
    """A `ProductPatch` to convert (every detail as typed, the changed and the new variants),
    and the row of each of its variants."""
    variants, rows = [], []
    for n in _filled_rows(form):
        new = not form.get(f"existing-{n}")
        if change := _new_variant(form, n, currency) if new else _variant_change(form, n, currency):
            variants.append(change)
            rows.append(n)
    details = {k: form.get(k, "").strip() for k in DETAILS}
    return details | {"images": lines(form, "images"), "variants": variants}, rows


def drawn_version(form: Mapping[str, str]) -> int:
    """The version the edit form was drawn from, the change's expected version."""
    text = form.get("version", "").strip()
    if not (text.isascii() and text.isdigit()):
        raise DomainValidationError("version", "is missing: reload the page and make your change")
    return int(text)


def as_values(product: ProductView) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The form's fields for a product as the read model has it, and the version it shows."""
    values = {k: str(getattr(product, k)) for k in DETAILS}
    values["version"] = str(product.version)
    values["images"] = "\n".join(product.images)
    existing = [
        {
            "sku": variant.sku,
            "price": _typed(variant.price.amount),
            "options": ", ".join(f"{k}: {v}" for k, v in variant.attributes.items()),
            "existing": "1",
        }
        for variant in product.variants
    ]
    return values, variant_rows(existing)


def variant_rows(
    existing: list[dict[str, str]], form: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """The rows to draw: those of `form` as typed (a form drawn again), or `existing` and
    empty ones for new variants."""
    if form is None:
        return existing + [{} for _ in range(NEW_ROWS)]
    keys = ("sku", "price", "options", "existing", "was-price", "retired")
    count = sum(1 for n in range(MAX_ROWS) if f"sku-{n}" in form)
    return [{k: form.get(f"{k}-{n}", "") for k in keys} for n in range(count)]


def renamed(error: DomainValidationError, rows: list[int]) -> DomainValidationError:
    """`variants[0].sku` as the row staff see it (`variant 2 sku`): not every row is sent, so
    the body's index is not the row's; `rows` holds the row of each variant sent."""
    match = _VARIANT_PATH.match(error.field)
    if not match or int(match[1]) >= len(rows):
        return error
    rest = error.field[match.end() :].replace(".", " ")
    return DomainValidationError(f"variant {rows[int(match[1])] + 1} {rest}".strip(), error.message)


def _filled_rows(form: Mapping[str, str]) -> list[int]:
    return [
        n
        for n in range(MAX_ROWS)
        if any(form.get(f"{k}-{n}", "").strip() for k in ("sku", "price", "options"))
    ]


def _new_variant(form: Mapping[str, str], n: int, currency: str) -> dict[str, Any]:
    price = money(form, f"price-{n}", currency, f"variant {n + 1} price")
    if price is None:
        raise DomainValidationError(f"variant {n + 1} price", "is required")
    return {
        "sku": form.get(f"sku-{n}", "").strip(),
        "price": price,
        "attributes": options(form, f"options-{n}", f"variant {n + 1} options"),
    }


def _variant_change(form: Mapping[str, str], n: int, currency: str) -> dict[str, Any] | None:
    change: dict[str, Any] = {"sku": form.get(f"sku-{n}", "").strip()}
    if form.get(f"price-{n}", "").strip() != form.get(f"was-price-{n}", "").strip():
        change["price"] = money(form, f"price-{n}", currency, f"variant {n + 1} price")
    if form.get(f"retired-{n}"):
        change["retired"] = True
    return change if len(change) > 1 else None


def _typed(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"
