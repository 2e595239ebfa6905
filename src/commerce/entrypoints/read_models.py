"""`commerce read-models ...`: operate the Elasticsearch read models."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import closing
from typing import Any

import click
from elasticsearch import ApiError, Elasticsearch, TransportError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from commerce.adapters.elasticsearch.client import create_sync_client
from commerce.adapters.elasticsearch.scan import documents_by_id
from commerce.adapters.postgres.catalog_snapshot import (
    catalog_reader,
    read_catalog,
    started_sales_reader,
)
from commerce.adapters.postgres.snapshots import (
    read_carts,
    read_orders,
    read_promotions,
    read_reviews,
    synchronous,
)
from commerce.settings import Settings, SettingsError, load_settings
from projections.expectations import CHECKS, MODELS
from projections.indices import IndexMappingError, ProjectionWriteError
from projections.products.rebuild import rebuild as rebuild_products
from projections.promotions.rebuild import rebuild as rebuild_promotions
from projections.registry import projections_for
from projections.reviews.rebuild import rebuild as rebuild_reviews
from projections.verification import ModelCheck, Summary, UnsortedStreamError

REBUILDABLE = ("products", "reviews", "promotions")
# Each read model's write side, read in batches sorted by id.
WRITE_SIDES: Mapping[str, Callable[[AsyncEngine], AsyncGenerator[Sequence[Any], None]]] = {
    "products": read_catalog,
    "orders": read_orders,
    "carts": read_carts,
    "reviews": read_reviews,
    "promotions": read_promotions,
}


class CannotVerifyError(click.ClickException):
    """Verify exits with 1 when a read model differs, and with 2 when it could not compare."""

    exit_code = 2


@click.group("read-models")
def read_models() -> None:
    """Build, rebuild and verify the read models."""


@read_models.command("rebuild")
@click.argument("model", type=click.Choice(REBUILDABLE))
@click.option("--replicas", default=0, show_default=True, help="Replicas of the new index.")
@click.option(
    "--refresh-interval", default="1s", show_default=True, help="The new index's refresh."
)
def rebuild_command(model: str, replicas: int, refresh_interval: str) -> None:
    """Build a new index of MODEL from the write side (PostgreSQL), swap the alias onto it
    atomically and delete the old one. Searches keep answering throughout."""
    settings = _settings()
    client = create_sync_client(settings.elasticsearch_url, 60)
    url, prefix = settings.database_url, settings.index_prefix
    try:
        if model == "reviews":
            index, count = rebuild_reviews(
                client,
                prefix,
                synchronous(url, read_reviews),
                replicas=replicas,
                refresh_interval=refresh_interval,
            )
        elif model == "promotions":
            index, count = rebuild_promotions(
                client,
                prefix,
                synchronous(url, read_promotions),
                replicas=replicas,
                refresh_interval=refresh_interval,
            )
        else:
            index, count = rebuild_products(
                client,
                prefix,
                catalog_reader(url),
                read_sales=started_sales_reader(url),
                replicas=replicas,
                refresh_interval=refresh_interval,
            )
    except (IndexMappingError, ProjectionWriteError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        client.close()
    click.echo(f"{model}: {count} documents in {index}, alias swapped")


@read_models.command("ensure")
def ensure_command() -> None:
    """Create every read model's index and alias if missing, and check that the server
    accepts the mappings (fails with the server's reason if not)."""
    settings = _settings()
    try:
        ensure_read_models(settings)
    except IndexMappingError as error:
        raise click.ClickException(str(error)) from None
    click.echo("read models: indices and mappings in place")


@read_models.command("verify")
@click.argument("models", nargs=-1, type=click.Choice(MODELS))
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Differences printed per model (the counts stay complete).",
)
def verify_command(models: tuple[str, ...], limit: int) -> None:
    """Compare each read model (all by default) with PostgreSQL and print each difference:
    a record without its document (missing), a document that lags or disagrees (divergent), a
    document without its record (unexpected). Exits 0 when all agree, 1 when any differs, 2
    when it could not compare. Meant for a quiet pipeline: on a busy one, recent writes show as
    divergent until the worker applies them."""
    settings = _settings()
    client = create_sync_client(settings.elasticsearch_url, 60)
    try:
        summaries = [
            _verify(CHECKS[model], settings, client, limit)
            for model in dict.fromkeys(models or MODELS)
        ]
    except (ApiError, TransportError, SQLAlchemyError, OSError, UnsortedStreamError) as error:
        # The first line: SQLAlchemy appends the whole statement.
        reason = next(iter(str(error).splitlines()), type(error).__name__)
        raise CannotVerifyError(f"cannot verify: {reason}") from None
    finally:
        client.close()
    if any(summary.differences for summary in summaries):
        raise SystemExit(1)


def _verify(
    check: ModelCheck[Any], settings: Settings, client: Elasticsearch, limit: int
) -> Summary:
    summary = Summary(check.name)
    write_side = synchronous(settings.database_url, WRITE_SIDES[check.name])
    documents = documents_by_id(
        client, check.alias(settings.index_prefix), check.id_field, check.source_fields
    )
    with closing(write_side()) as batches:
        for shown, difference in enumerate(check.compare(batches, documents, summary)):
            if shown < limit:
                click.echo(f"{check.name} {difference.id} {difference.describe()}")
    if summary.differences > limit:
        click.echo(f"{check.name}: {summary.differences - limit} more not shown (--limit)")
    click.echo(str(summary))
    return summary


def ensure_read_models(settings: Settings) -> None:
    client = create_sync_client(settings.elasticsearch_url, 60)
    try:
        for projection in projections_for(settings.index_prefix):
            projection.ensure_index(client)
    finally:
        client.close()


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise click.ClickException(f"configuration: {error}") from None
