"""`commerce dev`'s supervisor restarts a helper that dies, with a growing back-off, and never
once a stop was asked."""

import logging
import signal
import subprocess
import sys
import time

import pytest

from commerce.entrypoints import supervisor
from commerce.entrypoints.supervisor import Child, Shutdown, stop_all, supervise


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
        assert supervise(main, [crashing], Shutdown()) == 0

    assert crashing.restarts >= 2
    assert "worker exited with code 3" in caplog.text
    assert "restarting worker" in caplog.text
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


def test_a_child_that_died_is_not_started_again_once_a_stop_was_asked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Ctrl-C reaches the whole process group: a child may die of it just before the
    # supervisor's own signal is handled.
    child = Child("worker", python("raise SystemExit(0)"), backoff=0.1)
    child.start()
    assert child.process is not None
    child.process.wait()
    child.check(time.monotonic())
    main = subprocess.Popen(python("import time; time.sleep(30)"))
    shutdown = Shutdown()
    shutdown.ask(signal.SIGINT)
    time.sleep(0.2)

    with caplog.at_level(logging.WARNING, logger=supervisor.__name__):
        code = supervise(main, [child], shutdown)
    stop_all([main])

    assert code == 128 + signal.SIGINT
    assert child.restarts == 0
    assert "restarting" not in caplog.text
