"""Staff commands and reads of promo codes: create, disable, read, list.

Staff read the codes from the write side: there is no read model of them (a few hundred rows,
read by staff only), and what staff want to see, how often each was used, is counted there.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.domain.errors import AlreadyExistsError, DomainValidationError
from commerce.domain.pricing import CodeTakenError, PromoCode, PromoTerms, normalize_code
from commerce.ports.clock import Clock
from commerce.ports.product_search import MAX_LIMIT, Total
from commerce.ports.unit_of_work import UnitOfWork


class CreatePromoCode(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    terms: PromoTerms


@dataclass(frozen=True)
class PromoCodeChanged:
    promo: PromoCode
    event_ids: list[UUID]


@dataclass(frozen=True)
class PromoCodePage:
    items: list[PromoCode]
    total: Total
    next_cursor: str | None


@command
async def create_promo_code(
    cmd: CreatePromoCode, uow: UnitOfWork, clock: Clock, currency: str
) -> PromoCodeChanged:
    """409 `promo_code_taken` for a code that exists (in any case), even disabled."""
    async with uow:
        promo = PromoCode.create(code=cmd.code, terms=cmd.terms, currency=currency, now=clock.now())
        uow.promo_codes.add(promo)
        try:
            event_ids = await uow.commit()
        except AlreadyExistsError:
            raise CodeTakenError(f"{promo.code} exists: a code is never used twice") from None
    return PromoCodeChanged(promo, event_ids)


@command
@retried_on_conflict
async def disable_promo_code(code: str, uow: UnitOfWork, clock: Clock) -> PromoCodeChanged:
    """No further use; orders that used it keep their discount. Disabling twice is harmless."""
    async with uow:
        promo = await uow.promo_codes.get(normalize_code(code))
        promo.disable(clock.now())
        return PromoCodeChanged(promo, await uow.commit())


async def get_promo_code(code: str, uow: UnitOfWork) -> PromoCode:
    async with uow:
        return await uow.promo_codes.get(normalize_code(code))


async def list_promo_codes(limit: int, cursor: str | None, uow: UnitOfWork) -> PromoCodePage:
    """Newest first."""
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainValidationError("limit", f"must be between 1 and {MAX_LIMIT}")
    before = _position(cursor) if cursor is not None else None
    async with uow:
        found = await uow.promo_codes.newest(limit + 1, before)
        count = await uow.promo_codes.count()
    items = found[:limit]
    more = len(found) > limit
    next_cursor = _cursor(items[-1]) if more else None
    return PromoCodePage(items, Total(value=count, relation="eq"), next_cursor)


class _Position(msgspec.Struct, frozen=True, array_like=True):
    created_at: datetime
    code: str


def _cursor(last: PromoCode) -> str:
    raw = msgspec.json.encode(_Position(last.created_at, last.code))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = msgspec.json.decode(raw, type=_Position)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise DomainValidationError("cursor", "is not one this list handed out") from None
    return position.created_at, position.code
