"""Every read model the worker keeps, in one list (the worker and `read-models ensure`)."""

from projections.base import Projection
from projections.carts.projector import CartsProjection
from projections.orders.projector import OrdersProjection
from projections.products.projector import ProductsProjection
from projections.promotions.projector import PromotionsProjection
from projections.reviews.projector import ReviewsProjection


def projections_for(index_prefix: str) -> list[Projection]:
    return [
        ProductsProjection(index_prefix),
        OrdersProjection(index_prefix),
        CartsProjection(index_prefix),
        ReviewsProjection(index_prefix),
        PromotionsProjection(index_prefix),
    ]
