"""The storefront as one Litestar router: its pages, and what every page shares (the session,
CSRF checks, cookie flags, read-your-writes, problems as pages, its own CSP)."""

from __future__ import annotations

import hashlib
import hmac

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware

from commerce.container import Container
from commerce.entrypoints.http.consistency import read_model_dependencies
from commerce.entrypoints.http.security_headers import POLICY_OPT
from commerce.entrypoints.web.assets import CONTENT_SECURITY_POLICY
from commerce.entrypoints.web.cookies import (
    CONSISTENCY,
    CSRF,
    ConsistencyTokenReadOnce,
    SecureCookiesOverTls,
)
from commerce.entrypoints.web.errors import page_handlers
from commerce.entrypoints.web.pages.account import AccountPages
from commerce.entrypoints.web.pages.cart import CartPages
from commerce.entrypoints.web.pages.checkout import CheckoutPages
from commerce.entrypoints.web.pages.orders import OrderPages
from commerce.entrypoints.web.pages.product import ProductPages
from commerce.entrypoints.web.pages.shop import ShopPages
from commerce.entrypoints.web.pages.staff_catalog import StaffProductPages
from commerce.entrypoints.web.pages.staff_home import StaffHomePage
from commerce.entrypoints.web.pages.staff_orders import StaffOrderPages
from commerce.entrypoints.web.pages.staff_promotions import StaffPromoCodePages, StaffSalePages
from commerce.entrypoints.web.pages.staff_stock import StaffStockPages
from commerce.entrypoints.web.session import SessionMiddleware

STAFF_CATALOG_PAGES = [StaffProductPages, StaffStockPages, StaffSalePages, StaffPromoCodePages]


def storefront(container: Container) -> Router:
    return Router(
        path="/",
        route_handlers=[
            ShopPages,
            ProductPages,
            AccountPages,
            CartPages,
            CheckoutPages,
            OrderPages,
            StaffHomePage,
            StaffOrderPages,
            *STAFF_CATALOG_PAGES,
        ],
        dependencies=read_model_dependencies(container, token_cookie=CONSISTENCY),
        middleware=[
            SecureCookiesOverTls(),  # outermost: it sees every cookie set inside
            csrf(container.secret()),
            SessionMiddleware(),
            ConsistencyTokenReadOnce(),
        ],
        exception_handlers=page_handlers(),
        opt={POLICY_OPT: CONTENT_SECURITY_POLICY},
        include_in_schema=False,
    )


def csrf(secret: str) -> DefineMiddleware:
    """Litestar's signed double-submit token: a cookie, and the same token in every form
    (`csrf_input`); a POST without both is a 403. The cookie is `HttpOnly`: the pages put the
    token in the forms, no script reads it."""
    key = hmac.new(secret.encode(), b"storefront csrf", hashlib.sha256).hexdigest()
    config = CSRFConfig(secret=key, cookie_name=CSRF, cookie_httponly=True, cookie_samesite="lax")
    return DefineMiddleware(CSRFMiddleware, config=config)
