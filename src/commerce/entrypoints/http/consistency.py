"""Read-your-writes: a query honours the `Consistency-Token` of a command's response.

It is a property of reading a read model, so it is written once, where the query ports are
injected: a route that declares `product_search`, `cart_views`, `order_views`, `review_views`
or `promotion_views` gets the port only once that read model has projected the token's events,
or once COMMERCE_CONSISTENCY_WAIT has passed; then the answer says `Consistency: stale`
(whatever its status: a 404 may be the write not projected yet). No token, no wait. The header is
documented on every such route, as the parameter of the dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.params import HeaderParameter
from litestar.types import Message, Scope

from commerce.adapters.prometheus.commands import count_consistency_wait
from commerce.application.consistency import wait_until_projected
from commerce.container import Container
from commerce.entrypoints.http.dependencies import Injected
from commerce.ports.consistency import ProjectionProgress
from commerce.settings import Settings
from projections.carts import mapping as carts
from projections.orders import mapping as orders
from projections.products import mapping as products
from projections.promotions import mapping as promotions
from projections.reviews import mapping as reviews

T = TypeVar("T")

STALE_HEADER = "Consistency"
_STALE = "consistency_stale"  # the request's state: its answer may miss the token's writes

ConsistencyToken = Annotated[
    str | None,
    HeaderParameter(
        name="Consistency-Token",
        description="The `Consistency-Token` of a command response: the answer waits (at most "
        "COMMERCE_CONSISTENCY_WAIT seconds) until it reflects that write, and says "
        "`Consistency: stale` if it could not.",
        max_length=2000,
    ),
]


def read_model_dependencies(
    container: Container, token_cookie: str | None = None
) -> dict[str, Provide]:
    """The query ports of the container, each behind the wait for its own read model. The
    token comes from the `Consistency-Token` header, or from the cookie `token_cookie` (the
    storefront's pages: a browser following a redirect sends no header of ours)."""
    return {
        "product_search": _after_projection(products.NAME, container.product_search, token_cookie),
        "cart_views": _after_projection(carts.NAME, container.cart_views, token_cookie),
        "order_views": _after_projection(orders.NAME, container.order_views, token_cookie),
        "review_views": _after_projection(reviews.NAME, container.review_views, token_cookie),
        "promotion_views": _after_projection(
            promotions.NAME, container.promotion_views, token_cookie
        ),
    }


def is_stale(request: Request[Any, Any, Any]) -> bool:
    """Whether the answer to this request may miss the writes of the token it brought."""
    return bool(request.state.get(_STALE))


def _after_projection(
    projection: str, read_model: Callable[[], T], token_cookie: str | None
) -> Provide:
    async def wait(
        request: Request[Any, Any, Any],
        progress: ProjectionProgress,
        settings: Settings,
        token: str | None,
    ) -> T:
        fresh = await wait_until_projected(progress, projection, token, settings.consistency_wait)
        if token is not None:
            count_consistency_wait(projection, fresh=fresh)
        if not fresh:
            request.state[_STALE] = True
        return read_model()

    async def from_header(
        request: Request[Any, Any, Any],
        projection_progress: Injected[ProjectionProgress],
        settings: Injected[Settings],
        consistency_token: ConsistencyToken = None,
    ) -> T:
        return await wait(request, projection_progress, settings, consistency_token)

    async def from_cookie(
        request: Request[Any, Any, Any],
        projection_progress: Injected[ProjectionProgress],
        settings: Injected[Settings],
    ) -> T:
        token = request.cookies.get(token_cookie) if token_cookie else None
        return await wait(request, projection_progress, settings, token)

    return Provide(from_header if token_cookie is None else from_cookie)


async def say_when_stale(message: Message, scope: Scope) -> None:
    """App-level `before_send` hook: the header on the answer of a request marked stale."""
    if message["type"] == "http.response.start" and scope.get("state", {}).get(_STALE):
        MutableScopeHeaders.from_message(message)[STALE_HEADER] = "stale"
