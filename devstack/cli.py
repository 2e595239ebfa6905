"""`python -m devstack up|down|status|env|run`, from the checkout."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from typing import TypeVar

import click

from devstack.manager import Stack, fresh_state
from devstack.system import StackError

T = TypeVar("T")


@click.group()
def stack() -> None:
    """Run PostgreSQL, Redis, Elasticsearch and a mail sink locally, without Docker."""


@stack.command()
def up() -> None:
    """Start what is not running (idempotent) and wait until every server is ready."""
    instance = _stack()
    _guard(instance.up)
    _print_status(instance)


@stack.command()
def down() -> None:
    """Stop the servers this stack started, by their pids."""
    stopped = _guard(_stack().down)
    click.echo(f"stopped: {', '.join(stopped) or 'nothing was running'}")


@stack.command()
def status() -> None:
    """Show each server: running (with pid), stopped, or external."""
    _print_status(_stack())


@stack.command()
def env() -> None:
    """Print `export` lines for the service's COMMERCE_* URLs:
    `eval "$(.venv/bin/python -m devstack env)"`."""
    for name, value in _stack().environment().items():
        click.echo(f"export {name}={shlex.quote(value)}")


@stack.command(context_settings={"ignore_unknown_options": True})
@click.option(
    "--fresh",
    is_flag=True,
    help="Use a new, empty state folder and free ports for this run, and remove the folder "
    "afterwards (what `make test` does: every run is a first run).",
)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run(command: tuple[str, ...], fresh: bool) -> None:
    """Bring the stack up, run COMMAND with its URLs, then stop what was started."""
    if not fresh:
        sys.exit(_guard(lambda: _stack().run(command)))
    with fresh_state() as folder:
        click.echo(f"stack: a fresh state folder for this run: {folder}")
        code = _guard(lambda: _stack().run(command))
    sys.exit(code)


def _stack() -> Stack:
    return _guard(Stack)


def _guard(action: Callable[[], T]) -> T:
    try:
        return action()
    except StackError as error:
        raise click.ClickException(str(error)) from None


def _print_status(instance: Stack) -> None:
    for item in instance.status():
        pid = f" pid {item.pid}" if item.pid else ""
        click.echo(f"{item.name:<14} {item.state:<8}{pid:<12} {item.env_var}={item.url}")
