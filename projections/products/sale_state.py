"""What the `products` read model keeps of a sale (pure: no Elasticsearch here): the sale's
latest record, and the state of it each product's document holds."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from commerce.domain.event_types import EVENTS
from commerce.domain.events import DomainEvent, EventEnvelope
from commerce.domain.pricing import (
    Discount,
    ProductRef,
    Sale,
    SaleDeleted,
    SaleEnded,
    SaleStarted,
    SaleTargets,
)

# Whether each event leaves its sale in force on the products it picks.
_APPLIED: dict[type[DomainEvent], bool] = {SaleStarted: True, SaleEnded: False, SaleDeleted: False}
HANDLED_TYPES = frozenset(event_type.type_name() for event_type in _APPLIED)


class SaleState(msgspec.Struct, kw_only=True):
    """A sale as the scheduler last recorded it (`version`: the sale's), in force while
    `active`. Whom it picks is kept but the products it names (up to 10 000): `named` says
    whether it names this one. Whether it picks the product is decided on every write, from
    the product's category and brand then, so a product moved into or out of a sale's
    category gains or loses it. An ended sale stays (inactive) so a late start is ignored."""

    version: int
    active: bool
    discount: Discount
    named: bool = False
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()

    def picks(self, product: ProductRef) -> bool:
        targets = SaleTargets(
            product_ids=frozenset({product.product_id}) if self.named else frozenset(),
            categories=self.categories,
            brands=self.brands,
        )
        return targets.covers(product)


class SaleRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A sale as the scheduler (or staff) last recorded it; `version` is the sale's."""

    sale_id: str
    version: int
    active: bool
    discount: Discount
    product_ids: frozenset[str] = frozenset()
    categories: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()

    def state_for(self, product_id: str) -> SaleState:
        return SaleState(
            version=self.version,
            active=self.active,
            discount=self.discount,
            named=product_id in self.product_ids,
            categories=self.categories,
            brands=self.brands,
        )

    def picks(self, product: ProductRef) -> bool:
        return self.state_for(str(product.product_id)).picks(product)


def record_of(sale: Sale) -> SaleRecord:
    """A sale's record as the write side holds it (a rebuild's)."""
    targets = sale.terms.applies_to
    return SaleRecord(
        sale_id=str(sale.id),
        version=sale.version,
        active=sale.started and not sale.ended and not sale.deleted,
        discount=sale.terms.discount,
        product_ids=frozenset(map(str, targets.product_ids)),
        categories=targets.categories,
        brands=targets.brands,
    )


def records_from_events(envelopes: Iterable[EventEnvelope]) -> dict[str, SaleRecord]:
    """The newest record of each sale a batch starts or ends."""
    records: dict[str, SaleRecord] = {}
    for envelope in envelopes:
        if envelope.type not in HANDLED_TYPES:
            continue
        event = EVENTS.decode(envelope)
        assert isinstance(event, SaleStarted | SaleEnded | SaleDeleted)
        targets = event.terms.applies_to
        record = SaleRecord(
            sale_id=str(event.sale_id),
            version=envelope.aggregate_version,
            active=_APPLIED[type(event)],
            discount=event.terms.discount,
            product_ids=frozenset(map(str, targets.product_ids)),
            categories=targets.categories,
            brands=targets.brands,
        )
        known = records.get(record.sale_id)
        if known is None or record.version > known.version:
            records[record.sale_id] = record
    return records
