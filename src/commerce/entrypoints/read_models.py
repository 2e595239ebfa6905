"""`commerce read-models ...`: operate the Elasticsearch read models."""

from __future__ import annotations

import click
from elasticsearch import Elasticsearch

from commerce.adapters.postgres.catalog_snapshot import catalog_reader
from commerce.settings import Settings, SettingsError, load_settings
from projections.indices import IndexMappingError, ProjectionWriteError
from projections.products import rebuild
from projections.registry import projections_for

REBUILDABLE = ("products",)


@click.group("read-models")
def read_models() -> None:
    """Build and rebuild the read models."""


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
    client = Elasticsearch(settings.elasticsearch_url, request_timeout=60)
    try:
        index, count = rebuild(
            client,
            settings.index_prefix,
            catalog_reader(settings.database_url),
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


def ensure_read_models(settings: Settings) -> None:
    client = Elasticsearch(settings.elasticsearch_url, request_timeout=60)
    try:
        for projection in projections_for(settings):
            projection.ensure_index(client)
    finally:
        client.close()


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise click.ClickException(f"configuration: {error}") from None
