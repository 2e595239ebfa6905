"""Every read model the worker keeps, in one list (the worker and `read-models ensure`)."""

from projections.base import Projection
from projections.carts.projector import carts_projection
from projections.orders.projector import orders_projection
from projections.products.projector import products_projection


def projections_for(index_prefix: str) -> list[Projection]:
    return [
        products_projection(index_prefix),
        orders_projection(index_prefix),
        carts_projection(index_prefix),
    ]
