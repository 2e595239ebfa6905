"""The `commerce` command line."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
import msgspec
from sqlalchemy.exc import SQLAlchemyError

from commerce.adapters.dramatiq.broker import redis_broker
from commerce.adapters.dramatiq.dead_letters import dead_letters, replay
from commerce.adapters.dramatiq.routing import CONSUMERS, queue_name
from commerce.adapters.postgres.migrate import upgrade_to_head
from commerce.application.accounts import CreateStaffAccount, create_staff_account
from commerce.container import build_container, close
from commerce.domain.account import Account
from commerce.domain.errors import DomainError
from commerce.entrypoints.api_server import serve_api
from commerce.entrypoints.catalog_import import BATCH_SIZE, import_catalog
from commerce.entrypoints.import_progress import ImportProgress, count_lines
from commerce.entrypoints.logs import configure_logging
from commerce.entrypoints.ops_status import gather_status, render
from commerce.entrypoints.processes import (
    exec_worker,
    run_all,
    run_relay,
    run_scheduler,
    seed_demo_catalog,
)
from commerce.entrypoints.read_models import ensure_read_models, read_models
from commerce.entrypoints.seed import checked_image_base
from commerce.entrypoints.tracing import trace_process
from commerce.ports.health import DependencyUnavailableError
from commerce.settings import Settings, SettingsError, load_settings
from projections.indices import IndexMappingError


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
    serve_api(settings, host, port)


@main.command()
@click.option("--products", "count", default=200, show_default=True, help="How many products.")
@click.option("--seed", type=int, help="Random seed, for a reproducible catalogue.")
@click.option("--if-empty", is_flag=True, help="Do nothing if the catalogue has products.")
@click.option(
    "--image-base-url",
    callback=lambda _context, _param, value: _image_base(value),
    help="Where shoppers reach this service (behind a proxy: its public address, e.g. "
    "https://shop.example.com); the pictures' addresses start with it. "
    "Default: the API's address, http://COMMERCE_HOST:COMMERCE_PORT.",
)
def seed(count: int, seed: int | None, if_empty: bool, image_base_url: str | None) -> None:
    """Write a demo catalogue (brands, categories, variants, prices, stock, pictures served by
    the storefront)."""
    settings = _settings()
    base = image_base_url or settings.api_url
    written = asyncio.run(
        seed_demo_catalog(settings, count, seed, only_if_empty=if_empty, image_base_url=base)
    )
    click.echo(f"seeded {written} products" if written else "catalogue not empty: not seeded")


def _image_base(value: str | None) -> str | None:
    try:
        return None if value is None else checked_image_base(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@click.option(
    "--seed-products",
    default=200,
    show_default=True,
    help="Demo products to write when the catalogue is empty (0: none).",
)
def dev(seed_products: int) -> None:
    """Migrate, seed an empty catalogue, and run the API, the relay and a worker together."""
    settings = _settings()
    configure_logging("dev", settings.log_level, settings.log_format)
    upgrade_to_head(settings.database_url)
    try:
        ensure_read_models(settings)
    except IndexMappingError as error:
        raise click.ClickException(str(error)) from None
    if seed_products:
        demo = seed_demo_catalog(
            settings, seed_products, None, only_if_empty=True, image_base_url=settings.api_url
        )
        asyncio.run(demo)
    raise SystemExit(run_all(settings))


@main.command()
def relay() -> None:
    """Move committed events from the outbox to the broker (run one or more), and send again
    what a consumer never applied."""
    settings = _settings()
    _observe("relay", settings)
    asyncio.run(run_relay(settings))


@main.command()
def scheduler() -> None:
    """Expire unpaid orders, reconcile pending payments, purge old idempotency keys."""
    settings = _settings()
    _observe("scheduler", settings)
    asyncio.run(run_scheduler(settings))


def _observe(process: str, settings: Settings) -> None:
    configure_logging(process, settings.log_level, settings.log_format)
    trace_process(process)


@main.command()
@click.option("--processes", default=1, show_default=True, help="Worker processes.")
@click.option("--threads", default=4, show_default=True, help="Threads per process.")
def worker(processes: int, threads: int) -> None:
    """Run the projection workers (Dramatiq) that keep the read models up to date."""
    exec_worker(_settings(), processes, threads)


@main.group()
def ops() -> None:
    """See how the running service is doing."""


@ops.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
@click.option(
    "--max-outbox-age",
    default=60.0,
    show_default=True,
    help="Seconds the oldest unpublished event may wait before it counts as a problem.",
)
@click.option(
    "--max-lag",
    default=60.0,
    show_default=True,
    help="Seconds a read model may lag (since its oldest event not applied yet occurred) "
    "before it counts as a problem.",
)
def ops_status(as_json: bool, max_outbox_age: float, max_lag: float) -> None:
    """Servers, live relays and workers, the outbox's backlog, and per read model its queued
    batches, lag, dead letters and index. Exits 1 when anything is wrong (a server down, no
    relay or worker alive, an old backlog, a read model lagging, a dead letter, a missing
    index), 0 otherwise."""
    status = asyncio.run(gather_status(_settings()))
    problems = status.problems(max_outbox_age, max_lag)
    if as_json:
        report = {**msgspec.to_builtins(status), "problems": problems}
        click.echo(msgspec.json.encode(report).decode())
    else:
        click.echo(render(status, problems))
    if problems:
        raise SystemExit(1)


@main.group()
def events() -> None:
    """Inspect and re-send events parked in the dead-letter queues."""


@events.command("dead-letters")
def list_dead_letters() -> None:
    """List parked messages with their last error."""
    broker = redis_broker(_settings().redis_url)
    for consumer in CONSUMERS:
        for letter in dead_letters(broker, queue_name(consumer)):
            click.echo(f"{letter.queue} {letter.message_id} {letter.events} events: {letter.error}")


@events.command("replay")
def replay_dead_letters() -> None:
    """Send every parked message again, with a fresh retry budget."""
    broker = redis_broker(_settings().redis_url)
    for consumer in CONSUMERS:
        count = replay(broker, queue_name(consumer))
        click.echo(f"{queue_name(consumer)}: {count} message(s) sent again")


@main.group()
def catalog() -> None:
    """Import products in bulk."""


@catalog.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--batch-size",
    default=BATCH_SIZE,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Products per transaction.",
)
def import_catalog_file(file: Path, batch_size: int) -> None:
    """Import products from FILE, JSON Lines: on each line the body of POST /v1/admin/products,
    plus an optional "stock": {"SKU": units on hand}. Lines already imported are skipped, so a
    rerun goes on where an interrupted import stopped. Rejected lines are listed by number with
    the reason; the exit status is then 1."""
    settings = _settings()
    with ImportProgress(count_lines(file)) as progress, file.open("rb") as lines:
        try:
            report = asyncio.run(
                import_catalog(settings, lines, batch_size=batch_size, on_progress=progress)
            )
        except KeyboardInterrupt:
            raise _stopped("interrupted", progress) from None
        except DependencyUnavailableError as error:
            raise _stopped(f"{error} does not answer", progress) from None
        except SQLAlchemyError as error:
            raise _stopped(f"the database failed: {error}", progress) from None
    click.echo(progress.summary())
    if report.rejected:
        raise SystemExit(1)


def _stopped(cause: str, progress: ImportProgress) -> click.ClickException:
    return click.ClickException(
        f"{cause}; {progress.summary()}. The batches written stay: run the same command "
        "again to go on."
    )


@main.group()
def admin() -> None:
    """Manage staff accounts from the command line."""


@admin.command("create")
@click.option("--email", required=True, help="The admin's email: what they sign in with.")
@click.option("--name", required=True, help="The admin's name.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.",
)
def create_admin(email: str, name: str, password_stdin: bool) -> None:
    """Create an account with the admin role (how the first admin is bootstrapped)."""
    settings = _settings()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        account = asyncio.run(_create_admin(settings, email, name, password))
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"admin {account.email} created (id {account.id})")


async def _create_admin(settings: Settings, email: str, name: str, password: str) -> Account:
    container = build_container(settings)
    command = CreateStaffAccount(
        email=email, password=password, name=name, roles=frozenset({"admin"})
    )
    try:
        result = await create_staff_account(
            command, container.uow(), container.password_hasher(), container.clock()
        )
    finally:
        await close(container)
    return result.account


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise click.ClickException(f"configuration: {error}") from None


main.add_command(read_models)
