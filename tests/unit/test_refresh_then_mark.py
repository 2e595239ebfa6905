"""Read-your-writes without a refresh per batch: the events of written batches are recorded as
projected only after a refresh that started once they were written, and many batches share
one refresh."""

import threading
import time
import uuid
from collections.abc import Callable, Sequence

from projections.visibility import RefreshThenMark


class Recorder:
    """What happened, in order: submitted batches, refreshes, and marked events."""

    def __init__(self, failing_refreshes: int = 0, refresh_takes: float = 0.0) -> None:
        self.log: list[tuple[str, frozenset[uuid.UUID]]] = []
        self.failing_refreshes = failing_refreshes
        self.refresh_takes = refresh_takes
        self.lock = threading.Lock()

    def submitted(self, ids: Sequence[uuid.UUID]) -> None:
        with self.lock:
            self.log.append(("submit", frozenset(ids)))

    def refresh(self) -> None:
        with self.lock:
            self.log.append(("refresh started", frozenset()))
        time.sleep(self.refresh_takes)
        if self.failing_refreshes:
            self.failing_refreshes -= 1
            raise ConnectionError("elasticsearch is down")

    def mark(self, ids: Sequence[uuid.UUID]) -> None:
        with self.lock:
            self.log.append(("mark", frozenset(ids)))

    def marked(self) -> set[uuid.UUID]:
        with self.lock:
            return {i for kind, ids in self.log if kind == "mark" for i in ids}

    def refreshes(self) -> int:
        return sum(1 for kind, _ in self.log if kind == "refresh started")


def submit_batches(policy: RefreshThenMark, recorder: Recorder, count: int) -> set[uuid.UUID]:
    every: set[uuid.UUID] = set()
    for _ in range(count):
        ids = [uuid.uuid4(), uuid.uuid4()]
        recorder.submitted(ids)
        policy.submit(ids)
        every.update(ids)
        time.sleep(0.002)
    return every


def eventually(condition: Callable[[], bool], seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_batches_written_close_together_share_a_refresh_and_are_all_marked() -> None:
    recorder = Recorder()
    policy = RefreshThenMark(recorder.refresh, recorder.mark, interval=0.2)

    every = submit_batches(policy, recorder, 30)

    assert eventually(lambda: recorder.marked() == every)
    assert recorder.refreshes() <= 3


def test_an_event_is_marked_only_after_a_refresh_that_started_once_it_was_written() -> None:
    recorder = Recorder(refresh_takes=0.02)
    policy = RefreshThenMark(recorder.refresh, recorder.mark, interval=0.05)

    every = submit_batches(policy, recorder, 40)

    assert eventually(lambda: recorder.marked() == every)
    written: set[uuid.UUID] = set()
    refreshed: set[uuid.UUID] = set()
    for kind, ids in list(recorder.log):
        if kind == "submit":
            written |= ids
        elif kind == "refresh started":
            refreshed = set(written)
        else:
            assert ids <= refreshed


def test_slow_refreshes_come_further_apart_and_take_at_most_a_fifth_of_the_time() -> None:
    recorder = Recorder(refresh_takes=0.05)
    policy = RefreshThenMark(recorder.refresh, recorder.mark, interval=0.01)

    started = time.monotonic()
    every = submit_batches(policy, recorder, 150)  # for about 0.5 s

    assert eventually(lambda: recorder.marked() == every)
    elapsed = time.monotonic() - started
    assert recorder.refreshes() * 0.05 <= elapsed * 0.2 + 0.05  # one may start as it ends


def test_a_failing_refresh_keeps_the_events_waiting_until_one_succeeds() -> None:
    recorder = Recorder(failing_refreshes=2)
    policy = RefreshThenMark(recorder.refresh, recorder.mark, interval=0.02)

    every = submit_batches(policy, recorder, 3)

    assert eventually(lambda: recorder.marked() == every)
    assert recorder.refreshes() >= 3


def test_the_worker_does_not_wait_for_the_refresh() -> None:
    recorder = Recorder(refresh_takes=0.5)
    policy = RefreshThenMark(recorder.refresh, recorder.mark, interval=0.01)
    policy.submit([uuid.uuid4()])

    started = time.monotonic()
    submit_batches(policy, recorder, 5)

    assert time.monotonic() - started < 0.3


def test_a_batch_that_wrote_nothing_is_recorded_at_once_unless_others_wait() -> None:
    recorder = Recorder(refresh_takes=0.3)
    policy = RefreshThenMark(recorder.refresh, recorder.mark, interval=0.01)
    nothing_new = [uuid.uuid4()]

    policy.submit(nothing_new, wrote=False)
    assert recorder.marked() == set(nothing_new)
    assert recorder.refreshes() == 0

    written, repeated = [uuid.uuid4()], [uuid.uuid4()]
    policy.submit(written)
    policy.submit(repeated, wrote=False)
    assert not recorder.marked() & {*written, *repeated}
    assert eventually(lambda: recorder.marked() >= {*written, *repeated})


def test_closing_refreshes_and_records_what_waits_without_waiting_for_the_interval() -> None:
    recorder = Recorder()
    policy = RefreshThenMark(recorder.refresh, recorder.mark, interval=30)
    policy.submit([uuid.uuid4()])
    assert eventually(lambda: recorder.refreshes() == 1)
    waiting = [uuid.uuid4()]
    policy.submit(waiting)

    started = time.monotonic()
    policy.close()

    assert set(waiting) <= recorder.marked()
    assert time.monotonic() - started < 1
