"""Imports only run inward: the core imports no framework and no driver, the read models
(`projections/`) no adapter, entrypoint or setting, the adapters no entrypoint; and the local
stack tooling (`devstack/`) stays out of what is installed."""

import ast
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from setuptools import find_packages

CHECKOUT = Path(__file__).resolve().parents[2]
SRC = CHECKOUT / "src" / "commerce"
# Besides the standard library, what each folder may import.
ALLOWED = {
    "src/commerce/domain": {"msgspec", "commerce.domain"},
    "src/commerce/ports": {"msgspec", "commerce.domain", "commerce.ports"},
    "src/commerce/application": {
        "msgspec",
        "commerce.domain",
        "commerce.ports",
        "commerce.application",
    },
    # The settings, the broker and the progress store are handed in by the worker entrypoint.
    "projections": {
        "msgspec",
        "elasticsearch",
        "snowballstemmer",
        "commerce.domain",
        "commerce.ports",
        "projections",
    },
}
# Adapters use their own library (SQLAlchemy, Redis, ...); of this project's code, only these.
ADAPTERS_FIRST_PARTY = {"commerce.domain", "commerce.ports", "commerce.adapters", "projections"}
FIRST_PARTY = {"commerce", "projections", "devstack"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_within(module: str, prefixes: set[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def is_allowed(module: str, allowed: set[str]) -> bool:
    top = module.split(".", maxsplit=1)[0]
    return top in sys.stdlib_module_names or is_within(module, allowed)


def offending_imports(folder: Path, wrong: Callable[[str], bool]) -> set[str]:
    files = sorted(folder.rglob("*.py"))
    assert files, f"no modules found in {folder}"
    return {
        f"{path.relative_to(CHECKOUT)}: {module}"
        for path in files
        for module in imported_modules(path)
        if wrong(module)
    }


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_a_layer_imports_only_the_standard_library_and_what_the_layer_table_allows(
    folder: str,
) -> None:
    allowed = ALLOWED[folder]
    assert not offending_imports(CHECKOUT / folder, lambda m: not is_allowed(m, allowed))


def test_adapters_import_of_this_project_only_the_core_and_the_read_models_they_adapt() -> None:
    def wrong(module: str) -> bool:
        first_party = module.split(".", maxsplit=1)[0] in FIRST_PARTY
        return first_party and not is_within(module, ADAPTERS_FIRST_PARTY)

    assert not offending_imports(SRC / "adapters", wrong)


def test_nothing_installed_imports_the_local_stack_tooling() -> None:
    for folder in (SRC, CHECKOUT / "projections"):
        assert not offending_imports(folder, lambda m: is_within(m, {"devstack"}))


def test_the_installed_packages_carry_no_machine_setup() -> None:
    """What the wheel holds (pyproject's package search) never installs system packages or
    creates users: that is the local stack's job, in the checkout only."""
    found = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["tool"]["setuptools"]
    search = found["packages"]["find"]
    folders = [
        CHECKOUT / where / package.replace(".", "/")
        for where in search["where"]
        for package in find_packages(CHECKOUT / where, include=search["include"])
    ]
    assert any(folder.name == "projections" for folder in folders)
    setup = {
        f"{path.relative_to(CHECKOUT)}"
        for folder in folders
        for path in folder.glob("*.py")
        if "apt-get" in path.read_text() or "useradd" in path.read_text()
    }
    assert not setup
