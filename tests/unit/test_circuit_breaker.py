"""The circuit breaker's states, on a clock the test moves: closed, open after failures in a
row, half-open for one probe after the cool-down, closed again by the probe's answer."""

import pytest

from commerce.adapters.elasticsearch.breaker import CircuitBreaker, CircuitOpenError

FAILURES = 3
COOL_DOWN = 5.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker("elasticsearch", FAILURES, COOL_DOWN, clock)


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.failed(breaker.admit())


def refused(breaker: CircuitBreaker) -> float | None:
    with pytest.raises(CircuitOpenError) as refusal:
        breaker.admit()
    return refusal.value.retry_after


def open_for_probe(breaker: CircuitBreaker, clock: FakeClock) -> bool:
    fail(breaker, FAILURES)
    clock.now += COOL_DOWN
    return breaker.admit()


def test_a_closed_breaker_lets_calls_through_until_failures_in_a_row_open_it(
    breaker: CircuitBreaker,
) -> None:
    fail(breaker, FAILURES - 1)
    assert breaker.state == "closed"
    assert breaker.admit() is False  # not a probe: an ordinary call

    breaker.failed(False)

    assert breaker.state == "open"


def test_an_answer_between_failures_starts_the_count_again(breaker: CircuitBreaker) -> None:
    fail(breaker, FAILURES - 1)
    breaker.succeeded(breaker.admit())
    fail(breaker, FAILURES - 1)

    assert breaker.state == "closed"


def test_an_open_breaker_refuses_at_once_saying_how_long_until_it_asks_again(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    fail(breaker, FAILURES)
    clock.now += 2.0

    assert refused(breaker) == pytest.approx(COOL_DOWN - 2.0)
    assert breaker.state == "open"


def test_after_the_cool_down_one_call_probes_while_every_other_is_refused(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    assert open_for_probe(breaker, clock) is True

    assert breaker.state == "half-open"
    assert [refused(breaker) for _ in range(3)] == [None, None, None]


def test_a_probe_answered_closes_the_breaker(breaker: CircuitBreaker, clock: FakeClock) -> None:
    breaker.succeeded(open_for_probe(breaker, clock))

    assert breaker.state == "closed"
    assert breaker.admit() is False
    fail(breaker, FAILURES - 1)  # counting from zero again
    assert breaker.state == "closed"


def test_a_failed_probe_opens_it_for_another_cool_down(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    breaker.failed(open_for_probe(breaker, clock))

    assert breaker.state == "open"
    assert refused(breaker) == pytest.approx(COOL_DOWN)
    clock.now += COOL_DOWN
    assert breaker.admit() is True


def test_an_abandoned_probe_hands_its_turn_to_the_next_call(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    breaker.abandoned(open_for_probe(breaker, clock))

    assert breaker.admit() is True
    assert breaker.state == "half-open"


def test_late_answers_of_calls_let_through_before_it_opened_do_not_decide_for_the_probe(
    breaker: CircuitBreaker, clock: FakeClock
) -> None:
    late = [breaker.admit() for _ in range(2)]  # still waiting when the breaker opens
    probe = open_for_probe(breaker, clock)

    breaker.succeeded(late[0])
    breaker.failed(late[1])
    assert breaker.state == "half-open"
    breaker.succeeded(probe)
    assert breaker.state == "closed"


def test_an_abandoned_ordinary_call_changes_nothing(breaker: CircuitBreaker) -> None:
    fail(breaker, FAILURES - 1)
    breaker.abandoned(breaker.admit())
    breaker.failed(breaker.admit())

    assert breaker.state == "open"
