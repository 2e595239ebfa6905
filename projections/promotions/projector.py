"""The `promotions` projector: each sale or promo code event becomes a partial state (one small
function per event type), the changes of a batch merge per document, and each merges into its
document (`projections.merged_writes`). Redelivered or out-of-order events are harmless: the
merge keeps each value of the newest version (`projections.promotions.document.merge`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from elasticsearch import Elasticsearch

from commerce.domain.event_types import EVENTS
from commerce.domain.events import DomainEvent, EventEnvelope, UnknownEventError
from commerce.domain.pricing import (
    PROMO_CODE_EVENTS,
    SALE_EVENTS,
    PromoCodeCreated,
    PromoCodeDisabled,
    PromoCodeRedeemed,
    PromoCodeRedemptionReturned,
    SaleCreated,
    SaleDeleted,
    SaleEnded,
    SaleStarted,
)
from commerce.domain.pricing.sale import SaleEvent
from projections.indices import IndexedProjection
from projections.merged_writes import MergedDocuments
from projections.promotions.document import (
    CodeState,
    PromotionState,
    SaleState,
    decode_state,
    doc_id,
    document,
    merge,
)
from projections.promotions.mapping import MAPPING, NAME

HANDLED_TYPES = frozenset(event.type_name() for event in (*SALE_EVENTS, *PROMO_CODE_EVENTS))
DOCUMENTS: MergedDocuments[PromotionState] = MergedDocuments("state", decode_state, merge, document)


# Events -> partial states -------------------------------------------------------------------


def _sale_created(event: SaleCreated, version: int) -> SaleState:
    return SaleState(
        sale_id=event.sale_id,
        version=version,
        created_at=event.at,
        terms=event.terms,
        terms_version=version,
    )


def _sale_changed(event: SaleEvent, version: int) -> SaleState:
    """Every sale event carries the terms (an early end moves `ends_at`)."""
    return SaleState(
        sale_id=event.sale_id,
        version=version,
        terms=event.terms,
        terms_version=version,
        ended_early=isinstance(event, SaleEnded) and event.early,
        deleted=isinstance(event, SaleDeleted),
    )


def _code_created(event: PromoCodeCreated, version: int) -> CodeState:
    return CodeState(
        code=event.code,
        version=version,
        created_at=event.at,
        terms=event.terms,
        redeemed_version=version,
    )


def _code_disabled(event: PromoCodeDisabled, version: int) -> CodeState:
    return CodeState(code=event.code, version=version, disabled=True)


def _code_counted(
    event: PromoCodeRedeemed | PromoCodeRedemptionReturned, version: int
) -> CodeState:
    return CodeState(
        code=event.code, version=version, redeemed=event.redeemed, redeemed_version=version
    )


_CHANGES: dict[type[DomainEvent], Callable[[Any, int], PromotionState]] = {
    SaleCreated: _sale_created,
    SaleStarted: _sale_changed,
    SaleEnded: _sale_changed,
    SaleDeleted: _sale_changed,
    PromoCodeCreated: _code_created,
    PromoCodeDisabled: _code_disabled,
    PromoCodeRedeemed: _code_counted,
    PromoCodeRedemptionReturned: _code_counted,
}


def change_of(envelope: EventEnvelope) -> PromotionState | None:
    """The partial state one event leaves, or None for an event this model ignores."""
    if envelope.type not in HANDLED_TYPES:
        return None
    try:
        event = EVENTS.decode(envelope)
    except UnknownEventError:
        return None
    change = _CHANGES.get(type(event))
    return change(event, envelope.aggregate_version) if change is not None else None


def changes_by_document(envelopes: Iterable[EventEnvelope]) -> dict[str, PromotionState]:
    """A batch's changes merged per document id, whatever order the events came in."""
    changes: dict[str, PromotionState] = {}
    for envelope in envelopes:
        change = change_of(envelope)
        if change is not None:
            key = doc_id(change)
            changes[key] = merge(changes.get(key), change)
    return changes


# The projection -----------------------------------------------------------------------------


class PromotionsProjection(IndexedProjection):
    name = NAME
    mapping = MAPPING
    remedy = "rebuild it from PostgreSQL: `commerce read-models rebuild promotions`"

    def project(self, client: Elasticsearch, events: Sequence[EventEnvelope]) -> bool:
        changes = changes_by_document(events)
        if not changes:
            return False
        DOCUMENTS.write(client, self.alias, changes, self.max_attempts)
        return True
