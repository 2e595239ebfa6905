"""The `promotions` read model against PostgreSQL: `read-models verify promotions` finds it in
step with the sales and codes written through their handlers, reports a document lost, altered
or added behind the projection's back, and `read-models rebuild promotions` mends it from
PostgreSQL behind the alias."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from click.testing import CliRunner, Result
from elasticsearch import Elasticsearch
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.postgres.unit_of_work import PostgresUnitOfWork
from commerce.adapters.system_clock import SystemClock
from commerce.application.promo_codes import (
    CreatePromoCode,
    create_promo_code,
    disable_promo_code,
)
from commerce.application.sales import CreateSale, create_sale, delete_sale
from commerce.domain.pricing import Discount, PromoTerms, SaleTargets
from commerce.entrypoints.cli import main
from commerce.settings import Settings
from projections.promotions import document as promotion_document
from projections.promotions.mapping import alias_name
from tests.integration.test_read_models_verify import (
    client,
    engine,
    lines_about,
    project_everything,
    settings,
    verify,
)

__all__ = ["client", "engine", "settings"]  # the fixtures, shared with verify's tests


async def write_promotions(engine: AsyncEngine) -> dict[str, str]:
    """A sale running, a sale deleted, a code running and a code disabled; their document ids."""
    clock = SystemClock()
    new_uow = lambda: PostgresUnitOfWork(engine, clock)  # noqa: E731
    now = clock.now()
    ids: dict[str, str] = {}
    for name in ("running", "deleted"):
        sale = CreateSale(
            name=f"Sale {name}",
            discount=Discount(percent_off=10),
            applies_to=SaleTargets(product_ids=frozenset({uuid.uuid4(), uuid.uuid4()})),
            starts_at=now,
            ends_at=now + timedelta(days=1),
        )
        created = (await create_sale(sale, new_uow(), clock, "EUR")).sale
        ids[f"{name} sale"] = promotion_document.sale_doc_id(created.id)
    await delete_sale(uuid.UUID(ids["deleted sale"].split(":")[1]), new_uow(), clock)
    for code in ("RUNNING", "DISABLED"):
        terms = PromoTerms(
            discount=Discount(percent_off=5),
            max_redemptions=3,
            starts_at=now,
            ends_at=now + timedelta(days=1),
        )
        await create_promo_code(CreatePromoCode(code=code, terms=terms), new_uow(), clock, "EUR")
        ids[f"{code.lower()} code"] = promotion_document.code_doc_id(code)
    await disable_promo_code("DISABLED", new_uow(), clock)
    return ids


def rebuild(settings: Settings) -> Result:
    environment = {
        "COMMERCE_DATABASE_URL": settings.database_url,
        "COMMERCE_ELASTICSEARCH_URL": settings.elasticsearch_url,
        "COMMERCE_INDEX_PREFIX": settings.index_prefix,
    }
    return CliRunner().invoke(main, ["read-models", "rebuild", "promotions"], env=environment)


async def test_sales_and_codes_projected_from_their_events_verify_clean(
    engine: AsyncEngine, settings: Settings, client: Elasticsearch
) -> None:
    await write_promotions(engine)
    await project_everything(engine, settings, client)

    result = await verify(settings, "promotions")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "promotions: 4 checked, 0 missing, 0 divergent, 0 unexpected"
    ]


async def test_a_lost_an_altered_and_a_stray_promotion_are_reported_and_a_rebuild_mends_them(
    engine: AsyncEngine, settings: Settings, client: Elasticsearch
) -> None:
    ids = await write_promotions(engine)
    await project_everything(engine, settings, client)
    alias = alias_name(settings.index_prefix)
    client.delete(index=alias, id=ids["running sale"])
    client.update(index=alias, id=ids["disabled code"], doc={"state": {"disabled": False}})
    stray = promotion_document.CodeState(code="STRAY", version=1)
    client.index(index=alias, id="promo_code:STRAY", document=promotion_document.document(stray))
    old_indices = sorted(client.indices.get_alias(name=alias).body)

    before = await verify(settings, "promotions")
    rebuilt = await asyncio.to_thread(rebuild, settings)
    after = await verify(settings, "promotions")

    assert before.exit_code == 1, before.output
    assert lines_about(before, "promotions", ids["running sale"]) == [
        f"promotions {ids['running sale']} missing: expected a document at version 1, found none"
    ]
    assert lines_about(before, "promotions", ids["disabled code"]) == [
        f"promotions {ids['disabled code']} divergent: disabled: expected true, found false"
    ]
    assert len(lines_about(before, "promotions", "promo_code:STRAY")) == 1
    assert rebuilt.exit_code == 0, rebuilt.output
    assert after.exit_code == 0, after.output
    (index,) = client.indices.get_alias(name=alias).body
    assert index not in old_indices
    assert not client.indices.exists(index=old_indices[0])
