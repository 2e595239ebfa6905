"""`commerce dev`'s supervisor restarts a helper that dies, with a growing back-off."""

import logging
import subprocess
import sys
import time

import pytest

from commerce.entrypoints import supervisor
from commerce.entrypoints.supervisor import Child, stop_all, supervise


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_child_that_dies_is_started_again_after_its_back_off_and_the_restart_is_logged(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(supervisor, "FIRST_BACKOFF", 0.1)
    crashing = Child("worker", python("raise SystemExit(3)"), backoff=0.1)
    crashing.start()
    main = subprocess.Popen(python("import time; time.sleep(2)"))
    with caplog.at_level(logging.WARNING, logger=supervisor.__name__):
        assert supervise(main, [crashing]) == 0

    assert crashing.restarts >= 2
    assert "worker exited with code 3" in caplog.text
    assert crashing.backoff > 0.1  # doubling while it keeps dying young


def test_the_back_off_never_grows_past_its_ceiling() -> None:
    child = Child("relay", python("raise SystemExit(1)"), backoff=supervisor.MAX_BACKOFF)
    child.start()
    assert child.process is not None
    child.process.wait()

    child.check(time.monotonic())

    assert child.backoff == supervisor.MAX_BACKOFF


def test_a_healthy_child_is_left_alone_and_stopped_with_the_rest() -> None:
    child = Child("scheduler", python("import time; time.sleep(30)"))
    child.start()
    child.check(time.monotonic())
    assert child.process is not None
    assert child.process.poll() is None
    assert child.restarts == 0

    stop_all([child.process])

    assert child.process.poll() is not None
