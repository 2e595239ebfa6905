"""The `commerce` command line."""

from __future__ import annotations

import click
import uvicorn

from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.entrypoints.stack.cli import stack
from commerce.settings import Settings, SettingsError, load_settings


@click.group()
def main() -> None:
    """Operate the commerce service."""


@main.command()
def migrate() -> None:
    """Apply database migrations up to the newest (safe to run from several processes)."""
    upgrade_to_head(_settings().database_url)
    click.echo("database is at the newest migration")


@main.command()
@click.option("--host", help="Interface to bind (default: COMMERCE_HOST).")
@click.option("--port", type=int, help="Port to listen on (default: COMMERCE_PORT).")
@click.option(
    "--migrate/--no-migrate",
    "run_migrations",
    default=False,
    help="Apply migrations before serving.",
)
def serve(host: str | None, port: int | None, run_migrations: bool) -> None:
    """Run the HTTP API (uvicorn with httptools and uvloop)."""
    settings = _settings()
    if run_migrations:
        upgrade_to_head(settings.database_url)
    host, port = host or settings.host, port or settings.port
    click.echo(f"commerce API on http://{host}:{port} (docs: http://{host}:{port}/schema)")
    uvicorn.run(
        "commerce.entrypoints.http.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=settings.workers,
        http="httptools",
        loop="uvloop",
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise click.ClickException(f"configuration: {error}") from None


main.add_command(stack)
