"""Every read model the worker keeps, in one list (the worker and `read-models ensure`)."""

from commerce.settings import Settings
from projections.base import Projection
from projections.carts.projector import carts_projection
from projections.orders.projector import orders_projection
from projections.products.projector import products_projection


def projections_for(settings: Settings) -> list[Projection]:
    prefix = settings.index_prefix
    return [products_projection(prefix), orders_projection(prefix), carts_projection(prefix)]
