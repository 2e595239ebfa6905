"""The core stays pure: domain and application import no framework and no driver."""

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "commerce"
ALLOWED = {
    "domain": {"msgspec", "commerce.domain"},
    "ports": {"msgspec", "commerce.domain", "commerce.ports"},
    "application": {"msgspec", "commerce.domain", "commerce.ports", "commerce.application"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_allowed(module: str, allowed: set[str]) -> bool:
    top = module.split(".", maxsplit=1)[0]
    if top in sys.stdlib_module_names:
        return True
    return any(module == prefix or module.startswith(prefix + ".") for prefix in allowed)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_the_standard_library_msgspec_and_inner_layers(layer: str) -> None:
    files = sorted((SRC / layer).rglob("*.py"))
    assert files, f"no modules found in {layer}"
    offenders = {
        f"{path.relative_to(SRC)}: {module}"
        for path in files
        for module in imported_modules(path)
        if not is_allowed(module, ALLOWED[layer])
    }
    assert not offenders
