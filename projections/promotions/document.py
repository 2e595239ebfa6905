"""The `promotions` read model's documents, built by pure functions (no Elasticsearch here).

A document holds one sale's or one promo code's state. Events do not all carry the whole
aggregate (`PromoCodeDisabled` names only the code), so each event becomes a partial state and
states merge: each value keeps the one of the newest version that set it, flags that only ever
turn on stay on. The merge is commutative and idempotent, so a redelivered, duplicated or late
event changes nothing it should not. A rebuild or a verification takes the whole state from the
write side (`state_of`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from commerce.domain.pricing import PromoCode, PromoTerms, Sale, SaleTerms


class SaleState(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="sale"):
    """`created_at` is known once `SaleCreated` is applied; `terms` are the newest event's."""

    sale_id: UUID
    version: int = 0
    created_at: datetime | None = None
    terms: SaleTerms | None = None
    terms_version: int = 0
    ended_early: bool = False
    deleted: bool = False

    @property
    def key(self) -> str:
        return str(self.sale_id)


class CodeState(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind", tag="promo_code"):
    """`created_at` and `terms` come with `PromoCodeCreated`; `redeemed` is the count of the
    newest redemption event (each carries the count after it)."""

    code: str
    version: int = 0
    created_at: datetime | None = None
    terms: PromoTerms | None = None
    redeemed: int = 0
    redeemed_version: int = 0
    disabled: bool = False

    @property
    def key(self) -> str:
        return self.code


PromotionState = SaleState | CodeState


def doc_id(state: PromotionState) -> str:
    if isinstance(state, SaleState):
        return sale_doc_id(state.sale_id)
    return code_doc_id(state.code)


def sale_doc_id(sale_id: UUID) -> str:
    return f"sale:{sale_id}"


def code_doc_id(code: str) -> str:
    return f"promo_code:{code}"


def kind_of(state: PromotionState) -> str:
    return "sale" if isinstance(state, SaleState) else "promo_code"


# Merging ------------------------------------------------------------------------------------


def merge(current: PromotionState | None, change: PromotionState) -> PromotionState:
    """The state holding the newest of each value of both (of the same sale or code)."""
    if current is None:
        return change
    if isinstance(current, SaleState) and isinstance(change, SaleState):
        return _merge_sales(current, change)
    if isinstance(current, CodeState) and isinstance(change, CodeState):
        return _merge_codes(current, change)
    raise ValueError(f"cannot merge a {kind_of(change)} into a {kind_of(current)}")


def _merge_sales(current: SaleState, change: SaleState) -> SaleState:
    newer = change if change.terms_version > current.terms_version else current
    return SaleState(
        sale_id=current.sale_id,
        version=max(current.version, change.version),
        created_at=current.created_at or change.created_at,
        terms=newer.terms,
        terms_version=newer.terms_version,
        ended_early=current.ended_early or change.ended_early,
        deleted=current.deleted or change.deleted,
    )


def _merge_codes(current: CodeState, change: CodeState) -> CodeState:
    newer = change if change.redeemed_version > current.redeemed_version else current
    return CodeState(
        code=current.code,
        version=max(current.version, change.version),
        created_at=current.created_at or change.created_at,
        terms=current.terms or change.terms,
        redeemed=newer.redeemed,
        redeemed_version=newer.redeemed_version,
        disabled=current.disabled or change.disabled,
    )


# The write side's state ---------------------------------------------------------------------


def state_of(record: Sale | PromoCode) -> PromotionState:
    """What applying every event of the sale or code gives: the state the write side holds."""
    if isinstance(record, Sale):
        return SaleState(
            sale_id=record.id,
            version=record.version,
            created_at=record.created_at,
            terms=record.terms,
            terms_version=record.version,
            ended_early=record.ended_early,
            deleted=record.deleted,
        )
    return CodeState(
        code=record.code,
        version=record.version,
        created_at=record.created_at,
        terms=record.terms,
        redeemed=record.redeemed,
        redeemed_version=record.version,
        disabled=record.disabled,
    )


def aggregate_of(state: PromotionState) -> Sale | PromoCode | None:
    """The sale or code a listed state describes, whose own methods say its status; None for
    a state staff do not see (not created yet, or a deleted sale)."""
    if state.created_at is None or state.terms is None:
        return None
    if isinstance(state, SaleState):
        if state.deleted or not isinstance(state.terms, SaleTerms):
            return None
        return Sale(
            sale_id=state.sale_id,
            terms=state.terms,
            created_at=state.created_at,
            ended_early=state.ended_early,
            version=state.version,
        )
    assert isinstance(state.terms, PromoTerms)
    return PromoCode(
        code=state.code,
        terms=state.terms,
        created_at=state.created_at,
        redeemed=state.redeemed,
        disabled=state.disabled,
        version=state.version,
    )


# State -> document --------------------------------------------------------------------------


def decode_state(raw: Any) -> PromotionState:
    state: PromotionState = msgspec.convert(raw, PromotionState)
    return state


def _remaining(state: PromotionState) -> int | None:
    if not isinstance(state, CodeState) or state.terms is None:
        return None
    limit = state.terms.max_redemptions
    return None if limit is None else limit - state.redeemed


def document(state: PromotionState) -> dict[str, Any]:
    """The Elasticsearch source: the fields lists filter and sort on, and the whole state."""
    terms = state.terms
    return {
        "id": doc_id(state),
        "kind": kind_of(state),
        "key": state.key,
        "listed": aggregate_of(state) is not None,
        "created_at": msgspec.to_builtins(state.created_at),
        "starts_at": msgspec.to_builtins(terms.starts_at) if terms else None,
        "ends_at": msgspec.to_builtins(terms.ends_at) if terms else None,
        "disabled": isinstance(state, CodeState) and state.disabled,
        "remaining": _remaining(state),
        "version": state.version,
        "state": msgspec.to_builtins(state),
    }
