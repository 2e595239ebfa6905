"""The storefront's static files (htmx, vendored unchanged, and our stylesheet) and the
Content-Security-Policy of its pages: scripts and styles from this service only."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

HTMX_VERSION = "2.0.11"
# Our stylesheet changes with the code: a new release is a new URL.
STYLE_VERSION = "2"
STATIC = Path(__file__).with_name("static")
STATIC_PATH = "/static"
_VERSIONS = {"htmx.min.js": HTMX_VERSION, "storefront.css": STYLE_VERSION}

# No inline script or style anywhere (htmx's own indicator style is turned off in the page's
# htmx-config). Product images are any http(s) address the catalogue holds (the API's `Url`),
# so the demo's, written under 127.0.0.1, also show on a page opened as localhost.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def asset_url(name: str) -> str:
    return f"{STATIC_PATH}/{name}?v={_VERSIONS[name]}"


def static_router() -> Router:
    return create_static_files_router(
        STATIC_PATH,
        directories=[STATIC],
        name="storefront-static",
        include_in_schema=False,
        # Asked for by version (`asset_url`): a new version is a new URL.
        cache_control=CacheControlHeader(public=True, max_age=86400),
    )
