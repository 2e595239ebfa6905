"""Staff commands of promo codes: create, disable (staff read them from the `promotions` read
model: `application.promotion_queries`)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import msgspec

from commerce.application.commands import command
from commerce.application.conflicts import retried_on_conflict
from commerce.domain.errors import AlreadyExistsError
from commerce.domain.pricing import CodeTakenError, PromoCode, PromoTerms, normalize_code
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork


class CreatePromoCode(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    terms: PromoTerms


@dataclass(frozen=True)
class PromoCodeChanged:
    promo: PromoCode
    event_ids: list[UUID]


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
