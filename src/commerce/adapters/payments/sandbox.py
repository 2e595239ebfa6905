"""The bundled sandbox gateway: a stand-in for a remote gateway, with the test tokens of the API.

Its ledger lives in PostgreSQL tables of its own, because it must outlive the process that
charged: the API charges, and a separate scheduler process reconciles with `lookup`. The
primary keys make each charge and refund key act once, whatever the concurrency; every call is
one short transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import bindparam, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commerce.adapters.payments.ledger import (
    TIMEOUT_TOKEN,
    GatewayLedger,
    LedgerCharge,
    LedgerRefund,
    check_charge_amount,
    decide,
    new_refund_id,
    refund_refusal,
)
from commerce.adapters.postgres.prepared import Prepared, Row
from commerce.adapters.postgres.session import Session
from commerce.adapters.postgres.tables import sandbox_charges, sandbox_refunds
from commerce.domain.values import Money
from commerce.ports.health import DependencyUnavailableError
from commerce.ports.payment_gateway import ChargeOutcome, GatewayTimeoutError, RefundOutcome

_REFUNDS_WITH_CURRENCY = select(sandbox_refunds, sandbox_charges.c.currency).join(
    sandbox_charges, sandbox_charges.c.key == sandbox_refunds.c.charge_key
)


_CHARGED = ("key", "token", "amount", "currency", "succeeded", "charge_id", "failure_reason")
_CHARGE = Prepared(
    insert(sandbox_charges)
    .values(
        {name: bindparam(name, type_=sandbox_charges.c[name].type) for name in _CHARGED}
        | {"created_at": func.now()}
    )
    .on_conflict_do_nothing(index_elements=[sandbox_charges.c.key])
    .returning(sandbox_charges)
)
_CHARGE_QUERY = select(sandbox_charges).where(
    sandbox_charges.c.key == bindparam("key", type_=sandbox_charges.c.key.type)
)
_CHARGE_BY_KEY = Prepared(_CHARGE_QUERY)


class SandboxPaymentGateway:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def charge(self, key: str, amount: Money, token: str) -> ChargeOutcome:
        check_charge_amount(amount)
        outcome = decide(token)
        values = {
            "key": key,
            "token": token,
            "amount": amount.amount,
            "currency": amount.currency,
            "succeeded": outcome.succeeded,
            "charge_id": outcome.charge_id,
            "failure_reason": outcome.failure_reason,
        }
        session = Session(self._engine)
        with _unknown_outcome(f"charge {key}"):
            try:
                # Each statement on its own (autocommit): the first charge with a key is one
                # round trip. A concurrent first charge with this key makes the insert wait
                # for it, then do nothing; the read that follows, a statement of its own, sees
                # its row.
                row = await session.fetch_one(_CHARGE, values)
                first = row is not None
                if row is None:
                    row = await session.fetch_one(_CHARGE_BY_KEY, {"key": key})
            finally:
                await session.release()
        assert row is not None, "a charge that conflicted on its key has a row"
        if first and token == TIMEOUT_TOKEN:
            raise GatewayTimeoutError(f"charge {key}: no answer from the gateway")
        return _charge(row).outcome

    async def lookup(self, key: str) -> ChargeOutcome | None:
        with _unknown_outcome(f"lookup {key}"):
            async with self._engine.connect() as connection:
                row = await _charge_row(connection, key)
        return None if row is None else _charge(row).outcome

    async def refund(self, key: str, charge_key: str, amount: Money) -> RefundOutcome:
        with _unknown_outcome(f"refund {key}"):
            async with self._engine.begin() as connection:
                return await self._refund(connection, key, charge_key, amount)

    async def _refund(
        self, connection: AsyncConnection, key: str, charge_key: str, amount: Money
    ) -> RefundOutcome:
        recorded = await _refund_row(connection, key)
        if recorded is not None:
            return _refund(recorded).outcome
        # Every refund of a charge holds its row until commit, so the sum below counts every
        # committed refund and no other can commit until this one has.
        charge_row = await _charge_row(connection, charge_key, for_update=True)
        recorded = await _refund_row(connection, key)
        if recorded is not None:
            return _refund(recorded).outcome
        refunded = (
            await connection.execute(
                select(func.coalesce(func.sum(sandbox_refunds.c.amount), 0)).where(
                    sandbox_refunds.c.charge_key == charge_key
                )
            )
        ).scalar_one()
        charge = None if charge_row is None else _charge(charge_row)
        refusal = refund_refusal(charge, int(refunded), amount)
        if refusal is not None:
            raise refusal
        await connection.execute(
            insert(sandbox_refunds)
            .values(
                key=key,
                refund_id=new_refund_id(),
                charge_key=charge_key,
                amount=amount.amount,
                created_at=func.now(),
            )
            # The same key on another charge (whose row this one did not lock) may have won.
            .on_conflict_do_nothing(index_elements=[sandbox_refunds.c.key])
        )
        query = _REFUNDS_WITH_CURRENCY.where(sandbox_refunds.c.key == key)
        row = (await connection.execute(query)).mappings().one()
        return _refund(row).outcome

    async def ledger(self) -> GatewayLedger:
        """Every charge and refund, oldest first: for tests and the bench, not for the core."""
        async with self._engine.connect() as connection:
            charges = await connection.execute(
                select(sandbox_charges).order_by(
                    sandbox_charges.c.created_at, sandbox_charges.c.key
                )
            )
            refunds = await connection.execute(
                _REFUNDS_WITH_CURRENCY.order_by(sandbox_refunds.c.created_at, sandbox_refunds.c.key)
            )
            return GatewayLedger(
                charges=tuple(_charge(row) for row in charges.mappings()),
                refunds=tuple(_refund(row) for row in refunds.mappings()),
            )


@contextmanager
def _unknown_outcome(call: str) -> Iterator[None]:
    """A remote gateway that cannot be reached leaves the outcome unknown: say so in the port's
    terms, so callers keep the payment pending and ask again, as they would over the network."""
    try:
        yield
    except (OSError, sa_exc.TimeoutError, DependencyUnavailableError) as error:
        raise GatewayTimeoutError(f"{call}: the gateway is unreachable") from error
    except sa_exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
        raise GatewayTimeoutError(f"{call}: the connection to the gateway broke") from error


async def _charge_row(
    connection: AsyncConnection, key: str, *, for_update: bool = False
) -> RowMapping | None:
    query = _CHARGE_QUERY.with_for_update() if for_update else _CHARGE_QUERY
    return (await connection.execute(query, {"key": key})).mappings().one_or_none()


async def _refund_row(connection: AsyncConnection, key: str) -> RowMapping | None:
    query = _REFUNDS_WITH_CURRENCY.where(sandbox_refunds.c.key == key)
    return (await connection.execute(query)).mappings().one_or_none()


def _charge(row: Row) -> LedgerCharge:
    return LedgerCharge(
        key=row["key"],
        token=row["token"],
        amount=Money(row["amount"], row["currency"]),
        succeeded=row["succeeded"],
        charge_id=row["charge_id"],
        failure_reason=row["failure_reason"],
        created_at=row["created_at"],
    )


def _refund(row: RowMapping) -> LedgerRefund:
    return LedgerRefund(
        key=row["key"],
        refund_id=row["refund_id"],
        charge_key=row["charge_key"],
        amount=Money(row["amount"], row["currency"]),
        created_at=row["created_at"],
    )
