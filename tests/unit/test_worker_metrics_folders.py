"""Each worker start makes a metrics folder in the temporary folder and removes it when it
stops; the folders of workers killed before they could (SIGKILL) are removed by the next
worker that starts, and a running worker's folder is never touched."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from commerce.adapters.prometheus.exposition import OWNER, PREFIX, worker_metrics_environment


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def a_folder(temporary: Path, name: str, owner: int | None) -> Path:
    folder = temporary / f"{PREFIX}{name}"
    folder.mkdir()
    (folder / "counter_1234.db").write_bytes(b"\0" * 8)
    if owner is not None:
        (folder / OWNER).write_text(str(owner))
    return folder


def a_finished_pid() -> int:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(ended.stdout)


def test_a_starting_worker_removes_the_folders_of_killed_workers_only(temporary: Path) -> None:
    killed = a_folder(temporary, "killed", a_finished_pid())
    running = a_folder(temporary, "running", os.getpid())
    being_made = a_folder(temporary, "being-made", None)

    environment = worker_metrics_environment("127.0.0.1", 9102)

    folder = Path(environment["PROMETHEUS_MULTIPROC_DIR"])
    assert not killed.exists()
    assert running.exists()
    assert being_made.exists()
    assert folder.parent == temporary
    assert (folder / OWNER).read_text() == str(os.getpid())
