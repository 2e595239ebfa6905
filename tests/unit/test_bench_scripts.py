"""The benchmarks are scripts outside the type-checked packages: each must at least start
against the current code (an import it relies on can be renamed or removed)."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize(
    ("script", "option"),
    [
        ("search.py", "--duration"),
        ("checkout.py", "--duration"),
        ("checkout.py", "--promo-code"),
        ("outbox.py", "--events"),
        ("import.py", "--searchable"),
        ("rebuild.py", "--reuse"),
        ("sale_reach.py", "--products"),
        ("storefront.py", "--reuse"),
    ],
)
def test_a_benchmark_script_starts_and_explains_its_options(script: str, option: str) -> None:
    shown = subprocess.run(
        [sys.executable, str(BENCH / script), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert shown.returncode == 0, shown.stderr
    assert option in shown.stdout
