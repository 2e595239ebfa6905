"""CI runs `make test` on this very machine, where the stack's usual state folder, service
user and servers from earlier runs still exist. Its servers must come from a folder never used
before, as a user that did not exist, on ports nobody holds: otherwise a broken first run (a
missing package, a folder the service user cannot enter, a cluster that only starts because
its data was already there) stays hidden behind what an earlier run left."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from devstack import manager
from devstack.layout import SERVICE_USER, Layout
from devstack.server import Server

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_exactly_make_test_and_make_test_asks_for_a_fresh_stack() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec make test$", ci, re.MULTILINE)
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert recipe is not None
    assert "$(STACK) run --fresh --" in recipe.group(1)


def test_a_fresh_stack_uses_a_never_used_folder_and_user_its_own_ports_and_leaves_nothing() -> None:
    usual = Layout.from_environment()
    before = dict(os.environ)

    with manager.fresh_state() as folder:
        layout = Layout.from_environment()
        assert Path(folder) == layout.state_dir
        assert layout.state_dir != usual.state_dir
        assert list(layout.state_dir.iterdir()) == []  # nothing an earlier run left
        if layout.run_as is not None:  # as root: a user made for this run only
            assert layout.run_as != SERVICE_USER
            assert layout.run_as != usual.run_as
        for name in manager.DEFAULT_PORTS:  # picked free now, not the usual stack's
            assert f"COMMERCE_STACK_{name.upper()}_PORT" in os.environ

    assert not Path(folder).exists()
    assert dict(os.environ) == before


def test_a_fresh_stack_runs_its_own_servers_even_where_the_environment_names_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As after `eval "$(devstack env)"`: this machine's usual servers must not stand in for
    the run's own."""
    usual = {kind.env_var: f"http://127.0.0.1:{port}" for kind, port in _usual_servers()}
    for name, url in usual.items():
        monkeypatch.setenv(name, url)

    with manager.fresh_state():
        fresh = manager.Stack().environment()
        for name in usual:
            assert name not in os.environ
        for server in manager.Stack().servers:
            assert fresh[server.env_var] == server.url
            assert str(server.port) == os.environ[f"COMMERCE_STACK_{server.name.upper()}_PORT"]

    assert {name: os.environ[name] for name in usual} == usual


def _usual_servers() -> list[tuple[type[Server], int]]:
    return [(manager.SERVER_KINDS[name], port) for name, port in manager.DEFAULT_PORTS.items()]
