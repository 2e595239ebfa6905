"""The interactive API docs at `/schema`: Swagger UI, served from the service's own files.

Nothing comes from a CDN, so the page works on a closed network and runs no script the service
did not ship. The assets are swagger-ui-dist, copied unchanged into `docs_assets/` (its
`SOURCE` file gives their integrity and how to move to another version). No PyPI package ships
a Swagger UI recent enough for OpenAPI 3.1, and Scalar is not packaged at all.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

DOCS_PATH = "/schema"
SWAGGER_UI_VERSION = "5.35.0"
ASSETS = Path(__file__).with_name("docs_assets")
_ASSETS_ROUTE = "docs-assets"
# Scripts and styles from this service only (checked in Chromium: the page and an opened
# operation report no violation); Swagger UI draws its icons as data: URIs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


class LocalSwaggerUI(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/swagger", favicon="", style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        def asset(name: str) -> str:
            path = request.app.route_reverse(_ASSETS_ROUTE, file_path=f"/{name}")
            return escape(f"{path}?v={SWAGGER_UI_VERSION}")

        title = escape(str(openapi_schema["info"]["title"]))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{asset("favicon-32x32.png")}">
<link rel="stylesheet" href="{asset("swagger-ui.css")}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(self.get_openapi_json_route(request))}"></div>
<script src="{asset("swagger-ui-bundle.js")}"></script>
<script src="{asset("docs.js")}"></script>
</body>
</html>
""".encode()

    def receive_router(self, router: Router) -> None:
        """The assets live beside the page, under the docs' own path."""
        router.register(
            create_static_files_router(
                "/assets",
                directories=[ASSETS],
                name=_ASSETS_ROUTE,
                # The page asks for them by version: a new version is a new URL.
                cache_control=CacheControlHeader(public=True, max_age=86400),
            )
        )
