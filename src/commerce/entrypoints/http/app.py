"""The Litestar application: the JSON API and the storefront's pages, dependencies, errors,
OpenAPI and metrics."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from commerce import __version__
from commerce.container import Container, build_container, close
from commerce.entrypoints.http.accounts import (
    AccountsController,
    AuthController,
    StaffAdminController,
)
from commerce.entrypoints.http.auth import BearerTokenMiddleware, provide_principal
from commerce.entrypoints.http.back_in_stock import BackInStockController
from commerce.entrypoints.http.cart import CartController
from commerce.entrypoints.http.catalog import InventoryAdminController, ProductsAdminController
from commerce.entrypoints.http.consistency import read_model_dependencies, say_when_stale
from commerce.entrypoints.http.dependencies import container_dependencies
from commerce.entrypoints.http.discounts import DiscountsAdminController
from commerce.entrypoints.http.docs import DOCS_PATH, LocalSwaggerUI
from commerce.entrypoints.http.health import live, pipeline, ready
from commerce.entrypoints.http.idempotency import (
    DEPENDENCY,
    OPTIONAL_DEPENDENCY,
    IdempotencyMiddleware,
    provide_idempotency,
    provide_optional_idempotency,
)
from commerce.entrypoints.http.options import answer_options
from commerce.entrypoints.http.orders import OrdersController
from commerce.entrypoints.http.orders_admin import OrdersAdminController
from commerce.entrypoints.http.payments import PaymentsController
from commerce.entrypoints.http.pricing import PricingController
from commerce.entrypoints.http.problems import EXCEPTION_HANDLERS
from commerce.entrypoints.http.products import ProductsController
from commerce.entrypoints.http.promo_codes import PromoCodesAdminController
from commerce.entrypoints.http.request_ids import RequestLogMiddleware, add_request_id
from commerce.entrypoints.http.requests import JsonRequest
from commerce.entrypoints.http.reviews import ReviewsAdminController, ReviewsController
from commerce.entrypoints.http.security_headers import add_security_headers
from commerce.entrypoints.http.tracing import name_by_route, request_spans
from commerce.entrypoints.tracing import trace_process
from commerce.entrypoints.web.assets import static_router
from commerce.entrypoints.web.rendering import template_config
from commerce.entrypoints.web.router import storefront
from commerce.settings import Settings, load_settings


def create_app(settings: Settings | None = None, container: Container | None = None) -> Litestar:
    settings = settings or load_settings()
    container = container or build_container(settings)
    metrics = PrometheusConfig(app_name="commerce", prefix="commerce", group_path=True)
    # Outermost: the request's span is current in everything inside, its log line included.
    traced = trace_process("api")
    tracing = [request_spans()] if traced else []

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await close(container)

    return Litestar(
        route_handlers=[
            live,
            ready,
            pipeline,
            MetricsController,
            ProductsAdminController,
            InventoryAdminController,
            ProductsController,
            BackInStockController,
            AuthController,
            AccountsController,
            StaffAdminController,
            CartController,
            PricingController,
            PromoCodesAdminController,
            OrdersController,
            OrdersAdminController,
            PaymentsController,
            DiscountsAdminController,
            ReviewsController,
            ReviewsAdminController,
            storefront(container),
            static_router(),
        ],
        dependencies={
            **container_dependencies(container),
            **read_model_dependencies(container),  # the query ports, honouring tokens
            "principal": Provide(provide_principal, sync_to_thread=False),
            DEPENDENCY: Provide(provide_idempotency, sync_to_thread=False),
            OPTIONAL_DEPENDENCY: Provide(provide_optional_idempotency, sync_to_thread=False),
        },
        state=State({"container": container, "settings": settings}),
        lifespan=[lifespan],
        middleware=[
            *tracing,
            RequestLogMiddleware(),
            metrics.middleware,
            DefineMiddleware(BearerTokenMiddleware),
            IdempotencyMiddleware(store=container.idempotency_store, clock=container.clock),
        ],
        before_request=answer_options,
        before_send=[
            say_when_stale,
            add_security_headers,
            add_request_id,
            *([name_by_route] if traced else []),
        ],
        request_class=JsonRequest,
        exception_handlers=EXCEPTION_HANDLERS,
        template_config=template_config(),
        openapi_config=OpenAPIConfig(
            title="Commerce",
            version=__version__,
            path=DOCS_PATH,
            render_plugins=[LocalSwaggerUI()],
        ),
        logging_config=None,  # the process's own (`commerce serve`, entrypoints/logs.py)
    )


class MetricsController(PrometheusController):
    """`GET /metrics` in the Prometheus text format; not part of the JSON API's schema."""

    include_in_schema = False
