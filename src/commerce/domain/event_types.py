"""Every event type the service records, in one registry (decoding and upcasting)."""

from commerce.domain.account import ACCOUNT_EVENTS
from commerce.domain.cart import CART_EVENTS, CART_UPCASTERS
from commerce.domain.catalog import CATALOG_EVENTS
from commerce.domain.events import EventRegistry
from commerce.domain.inventory import INVENTORY_EVENTS, INVENTORY_UPCASTERS
from commerce.domain.order import ORDER_EVENTS, ORDER_UPCASTERS
from commerce.domain.pricing import PROMO_CODE_EVENTS, SALE_EVENTS
from commerce.domain.rating import RATING_EVENTS
from commerce.domain.review import REVIEW_EVENTS

EVENTS = EventRegistry()
EVENTS.register(
    *CATALOG_EVENTS,
    *INVENTORY_EVENTS,
    *ACCOUNT_EVENTS,
    *CART_EVENTS,
    *ORDER_EVENTS,
    *SALE_EVENTS,
    *PROMO_CODE_EVENTS,
    *REVIEW_EVENTS,
    *RATING_EVENTS,
)
for type_name, from_version, upcast in (*INVENTORY_UPCASTERS, *CART_UPCASTERS, *ORDER_UPCASTERS):
    EVENTS.register_upcaster(type_name, from_version, upcast)
