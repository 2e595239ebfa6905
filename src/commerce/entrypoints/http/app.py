"""The Litestar application: routes, dependencies, errors, OpenAPI and metrics."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.logging import LoggingConfig
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
from commerce.entrypoints.http.cart import CartController
from commerce.entrypoints.http.catalog import InventoryAdminController, ProductsAdminController
from commerce.entrypoints.http.docs import DOCS_PATH, LocalSwaggerUI
from commerce.entrypoints.http.health import live, ready
from commerce.entrypoints.http.options import answer_options
from commerce.entrypoints.http.orders import OrdersController
from commerce.entrypoints.http.orders_admin import OrdersAdminController
from commerce.entrypoints.http.payments import PaymentsController
from commerce.entrypoints.http.problems import EXCEPTION_HANDLERS
from commerce.entrypoints.http.products import ProductsController
from commerce.entrypoints.http.requests import JsonRequest
from commerce.entrypoints.http.security_headers import add_security_headers
from commerce.ports.accounts import AccountProfiles
from commerce.ports.auth import LoginThrottle, PasswordHasher, TokenIssuer, TokenRevocations
from commerce.ports.cart_views import CartViews
from commerce.ports.clock import Clock
from commerce.ports.consistency import ProjectionProgress
from commerce.ports.health import DependencyCheck
from commerce.ports.idempotency import IdempotencyStore
from commerce.ports.order_views import OrderViews
from commerce.ports.payment_gateway import PaymentGateway
from commerce.ports.unit_of_work import UnitOfWork
from commerce.settings import Settings, load_settings


def create_app(settings: Settings | None = None, container: Container | None = None) -> Litestar:
    settings = settings or load_settings()
    container = container or build_container(settings)
    metrics = PrometheusConfig(app_name="commerce", prefix="commerce", group_path=True)

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
            MetricsController,
            ProductsAdminController,
            InventoryAdminController,
            ProductsController,
            AuthController,
            AccountsController,
            StaffAdminController,
            CartController,
            OrdersController,
            OrdersAdminController,
            PaymentsController,
        ],
        dependencies=_dependencies(),
        state=State({"container": container, "settings": settings}),
        lifespan=[lifespan],
        middleware=[metrics.middleware, DefineMiddleware(BearerTokenMiddleware)],
        before_request=answer_options,
        before_send=[add_security_headers],
        request_class=JsonRequest,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="Commerce",
            version=__version__,
            path=DOCS_PATH,
            render_plugins=[LocalSwaggerUI()],
        ),
        logging_config=LoggingConfig(
            root={"level": settings.log_level, "handlers": ["queue_listener"]},
            log_exceptions="debug",
            disable_existing_loggers=False,
        ),
    )


class MetricsController(PrometheusController):
    """`GET /metrics` in the Prometheus text format; not part of the JSON API's schema."""

    include_in_schema = False


def _dependencies() -> dict[str, Provide]:
    def settings(state: State) -> Settings:
        return state.settings  # type: ignore[no-any-return]

    def uow(state: State) -> UnitOfWork:
        return state.container.unit_of_work()  # type: ignore[no-any-return]

    def clock(state: State) -> Clock:
        return state.container.clock()  # type: ignore[no-any-return]

    def projection_progress(state: State) -> ProjectionProgress:
        return state.container.projection_progress()  # type: ignore[no-any-return]

    def dependency_checks(state: State) -> Sequence[DependencyCheck]:
        return state.container.dependency_checks()  # type: ignore[no-any-return]

    def password_hasher(state: State) -> PasswordHasher:
        return state.container.password_hasher()  # type: ignore[no-any-return]

    def login_throttle(state: State) -> LoginThrottle:
        return state.container.login_throttle()  # type: ignore[no-any-return]

    def token_issuer(state: State) -> TokenIssuer:
        return state.container.token_issuer()  # type: ignore[no-any-return]

    def token_revocations(state: State) -> TokenRevocations:
        return state.container.token_revocations()  # type: ignore[no-any-return]

    def account_profiles(state: State) -> AccountProfiles:
        return state.container.account_profiles()  # type: ignore[no-any-return]

    def idempotency_store(state: State) -> IdempotencyStore:
        return state.container.idempotency_store()  # type: ignore[no-any-return]

    def payment_gateway(state: State) -> PaymentGateway:
        return state.container.payment_gateway()  # type: ignore[no-any-return]

    def cart_views(state: State) -> CartViews:
        return state.container.cart_views()  # type: ignore[no-any-return]

    def order_views(state: State) -> OrderViews:
        return state.container.order_views()  # type: ignore[no-any-return]

    return {
        "settings": Provide(settings, sync_to_thread=False),
        "dependency_checks": Provide(dependency_checks, sync_to_thread=False),
        "principal": Provide(provide_principal, sync_to_thread=False),
        "uow": Provide(uow, sync_to_thread=False),
        "clock": Provide(clock, sync_to_thread=False),
        "projection_progress": Provide(projection_progress, sync_to_thread=False),
        "password_hasher": Provide(password_hasher, sync_to_thread=False),
        "login_throttle": Provide(login_throttle, sync_to_thread=False),
        "token_issuer": Provide(token_issuer, sync_to_thread=False),
        "token_revocations": Provide(token_revocations, sync_to_thread=False),
        "account_profiles": Provide(account_profiles, sync_to_thread=False),
        "idempotency_store": Provide(idempotency_store, sync_to_thread=False),
        "payment_gateway": Provide(payment_gateway, sync_to_thread=False),
        "cart_views": Provide(cart_views, sync_to_thread=False),
        "order_views": Provide(order_views, sync_to_thread=False),
    }
