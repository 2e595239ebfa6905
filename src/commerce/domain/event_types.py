"""Every event type the service records, in one registry (decoding and upcasting)."""

from commerce.domain.account import ACCOUNT_EVENTS
from commerce.domain.catalog import CATALOG_EVENTS
from commerce.domain.events import EventRegistry
from commerce.domain.inventory import INVENTORY_EVENTS

EVENTS = EventRegistry()
EVENTS.register(*CATALOG_EVENTS, *INVENTORY_EVENTS, *ACCOUNT_EVENTS)
