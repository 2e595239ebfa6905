"""Staff routes for the catalogue and stock (write side)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, patch, post, put
from litestar.params import FromPath, HeaderParameter, JSONBody, PathParameter

from commerce.application.catalog import (
    ArchiveProduct,
    ChangeProduct,
    CreateProduct,
    NewVariant,
    ProductChanged,
    VariantChange,
    archive_product,
    change_product,
    create_product,
)
from commerce.application.inventory import (
    AdjustStock,
    SetStock,
    StockChanged,
    adjust_stock,
    set_stock,
)
from commerce.domain.catalog import ProductDetails
from commerce.domain.errors import DomainValidationError
from commerce.domain.values import MULTILINE_PATTERN, SKU_PATTERN, Money
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.bodies import MoneyBody
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.problems import problem_specs
from commerce.entrypoints.http.responses import command_headers
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings

Sku = Annotated[str, msgspec.Meta(pattern=SKU_PATTERN)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=10_000, pattern=MULTILINE_PATTERN)]
Key = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
Value = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Url = Annotated[str, msgspec.Meta(pattern=r"^https?://\S{1,2000}$")]
Attributes = Annotated[dict[Key, Value], msgspec.Meta(max_length=50)]
Quantity = Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)]


class VariantBody(msgspec.Struct, frozen=True, kw_only=True):
    sku: Sku
    price: MoneyBody
    attributes: Attributes = {}


class ProductBody(msgspec.Struct, frozen=True, kw_only=True):
    name: Name
    description: Text = ""
    brand: Name
    category: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    images: Annotated[list[Url], msgspec.Meta(max_length=20)] = []
    attributes: Attributes = {}
    variants: Annotated[list[VariantBody], msgspec.Meta(min_length=1, max_length=100)]

    def to_command(self) -> CreateProduct:
        return CreateProduct(
            details=ProductDetails(
                name=self.name,
                description=self.description,
                brand=self.brand,
                category=self.category,
                images=list(self.images),
                attributes=dict(self.attributes),
            ),
            variants=[
                NewVariant(sku=v.sku, price=v.price.to_money(), attributes=v.attributes)
                for v in self.variants
            ],
        )


class VariantPatch(msgspec.Struct, frozen=True, kw_only=True):
    sku: Sku
    price: MoneyBody | None = None
    attributes: Attributes | None = None
    retired: bool | None = None


class ProductPatch(msgspec.Struct, frozen=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Text | msgspec.UnsetType = msgspec.UNSET
    brand: Name | msgspec.UnsetType = msgspec.UNSET
    category: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    images: Annotated[list[Url], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    attributes: Attributes | msgspec.UnsetType = msgspec.UNSET
    variants: Annotated[list[VariantPatch], msgspec.Meta(max_length=100)] = []

    def to_command(self, product_id: UUID, expected_version: int | None) -> ChangeProduct:
        return ChangeProduct(
            product_id=product_id,
            details={
                k: v
                for k, v in msgspec.structs.asdict(self).items()
                if k != "variants" and v is not msgspec.UNSET
            },
            variants=[
                VariantChange(
                    sku=v.sku,
                    price=v.price.to_money() if v.price else None,
                    attributes=v.attributes,
                    retired=v.retired,
                )
                for v in self.variants
            ],
            expected_version=expected_version,
        )


class VariantView(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    price: Money
    attributes: dict[str, str]
    retired: bool


class ProductView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    description: str
    brand: str
    category: str
    images: list[str]
    attributes: dict[str, str]
    variants: list[VariantView]
    archived: bool
    version: int
    created_at: datetime


class StockBody(msgspec.Struct, frozen=True):
    on_hand: Quantity


class AdjustmentBody(msgspec.Struct, frozen=True):
    delta: Annotated[int, msgspec.Meta(ge=-1_000_000_000, le=1_000_000_000)]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class StockView(msgspec.Struct, frozen=True, kw_only=True):
    sku: str
    product_id: UUID
    on_hand: int
    reserved: int
    available: int
    version: int


class ProductsAdminController(Controller):
    path = "/v1/admin/products"
    tags = ["catalog admin"]  # noqa: RUF012 (Litestar reads it as a class attribute)
    guards = [requires_role("operator")]  # noqa: RUF012

    @post(
        "/",
        operation_id="createProduct",
        responses=problem_specs(400, 401, 403, 409, 422),
    )
    async def create(
        self,
        data: JSONBody[ProductBody],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
        settings: Injected[Settings],
    ) -> Response[ProductView]:
        result = await create_product(data.to_command(), uow, clock, settings.currency)
        headers = command_headers(result.event_ids, result.product.version)
        headers["Location"] = f"/v1/products/{result.product.id}"
        return Response(_product_view(result), status_code=201, headers=headers)

    @patch(
        "/{product_id:uuid}",
        operation_id="changeProduct",
        responses=problem_specs(400, 401, 403, 404, 409, 412, 422),
    )
    async def change(
        self,
        product_id: FromPath[UUID],
        data: JSONBody[ProductPatch],
        uow: Injected[UnitOfWork],
        settings: Injected[Settings],
        if_match: Annotated[str | None, HeaderParameter(name="If-Match")] = None,
    ) -> Response[ProductView]:
        command = data.to_command(product_id, _parse_if_match(if_match))
        return _product_response(await change_product(command, uow, settings.currency))

    @post(
        "/{product_id:uuid}/archive",
        operation_id="archiveProduct",
        status_code=200,
        responses=problem_specs(401, 403, 404),
    )
    async def archive(
        self, product_id: FromPath[UUID], uow: Injected[UnitOfWork], clock: Injected[Clock]
    ) -> Response[ProductView]:
        return _product_response(await archive_product(ArchiveProduct(product_id), uow, clock))


class InventoryAdminController(Controller):
    path = "/v1/admin/inventory"
    tags = ["inventory admin"]  # noqa: RUF012
    guards = [requires_role("stock_operator")]  # noqa: RUF012

    @put(
        "/{sku:str}",
        operation_id="setStock",
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def set_counted(
        self,
        sku: Annotated[str, PathParameter(pattern=SKU_PATTERN)],
        data: JSONBody[StockBody],
        uow: Injected[UnitOfWork],
    ) -> Response[StockView]:
        return _stock_response(await set_stock(SetStock(sku=sku, on_hand=data.on_hand), uow))

    @post(
        "/{sku:str}/adjustments",
        operation_id="adjustStock",
        status_code=200,
        responses=problem_specs(400, 401, 403, 404, 409, 422),
    )
    async def adjust(
        self,
        sku: Annotated[str, PathParameter(pattern=SKU_PATTERN)],
        data: JSONBody[AdjustmentBody],
        uow: Injected[UnitOfWork],
    ) -> Response[StockView]:
        command = AdjustStock(sku=sku, delta=data.delta, reason=data.reason)
        return _stock_response(await adjust_stock(command, uow))


def _parse_if_match(value: str | None) -> int | None:
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise DomainValidationError("If-Match", 'must be an ETag this API returned, e.g. "3"')
    return int(tag)


def _product_view(result: ProductChanged) -> ProductView:
    product = result.product
    details = product.details
    return ProductView(
        id=product.id,
        name=details.name,
        description=details.description,
        brand=details.brand,
        category=details.category,
        images=details.images,
        attributes=details.attributes,
        variants=[
            VariantView(sku=v.sku, price=v.price, attributes=v.attributes, retired=v.retired)
            for v in product.variants
        ],
        archived=product.archived,
        version=product.version,
        created_at=product.created_at,
    )


def _product_response(result: ProductChanged) -> Response[ProductView]:
    headers = command_headers(result.event_ids, result.product.version)
    return Response(_product_view(result), headers=headers)


def _stock_response(result: StockChanged) -> Response[StockView]:
    item = result.item
    view = StockView(
        sku=item.sku,
        product_id=item.product_id,
        on_hand=item.on_hand,
        reserved=item.reserved,
        available=item.available,
        version=item.version,
    )
    return Response(view, headers=command_headers(result.event_ids, item.version))
