"""`OPTIONS` answered with every method of the path.

Litestar 2 builds a path's automatic `OPTIONS` handler with the first handler registered on it
and never updates it, so `GET` + `PATCH /v1/accounts/me` answered `Allow: OPTIONS, PATCH`
(litestar-org/litestar#4169, fixed in Litestar 3). An app-wide `before_request` answers from
the finished route instead. The closest layer's `before_request` wins, so this holds as long as
no controller or router declares one of its own (a single route handler may).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.routes import HTTPRoute


async def answer_options(request: Request[Any, Any, Any]) -> Response[None] | None:
    if request.method != "OPTIONS":
        return None
    template = request.scope["path_template"]
    methods = {
        method
        for route in request.app.routes
        if isinstance(route, HTTPRoute) and route.path_format == template
        for method in route.methods
    }
    return Response(None, status_code=204, headers={"Allow": ", ".join(sorted(methods))})
