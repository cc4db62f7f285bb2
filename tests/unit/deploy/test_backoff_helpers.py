"""deploy.polling: the one backoff policy and the two waiting loops (issue #14 item 3), on a fake clock."""
from __future__ import annotations

import itertools

import pytest

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.polling import Backoff, retry_while, wait_for


def first(n, backoff):
    return list(itertools.islice(backoff.delays(), n))


def test_exponential_delays_stop_at_the_cap():
    assert first(7, Backoff(first=1.0, factor=2.0, cap=15.0)) == [1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0]


def test_linear_delays_grow_by_the_step():
    assert first(4, Backoff(first=2.0, factor=1.0, step=1.0, cap=4.0)) == [2.0, 3.0, 4.0, 4.0]


def test_wait_for_returns_the_first_answer_and_sleeps_between_checks():
    clock, answers = FakeClock(), iter([None, None, "done"])
    seen: list[float] = []

    def check(waited):
        seen.append(waited)
        return next(answers)

    assert wait_for(check, Backoff(first=0.5), clock.sleep, 60, RuntimeError) == "done"
    assert clock.slept == [0.5, 1.0] and seen == [0.0, 0.5, 1.5]


def test_wait_for_raises_what_timed_out_makes_once_past_the_timeout():
    clock = FakeClock()
    with pytest.raises(TimeoutError, match="after 10"):
        wait_for(lambda waited: None, Backoff(first=5.0, factor=1.0), clock.sleep, 10,
                 lambda waited: TimeoutError(f"after {int(waited)}"))
    assert clock.slept == [5.0, 5.0]


class Busy(Exception):
    pass


def test_retry_while_retries_only_what_is_retryable():
    clock, calls = FakeClock(), []

    def call():
        calls.append(1)
        if len(calls) < 3:
            raise Busy()
        return "made"

    assert retry_while(call, lambda exc: isinstance(exc, Busy), Backoff(first=1.0), 5, clock.sleep) == "made"
    assert clock.slept == [1.0, 2.0]
    with pytest.raises(ValueError):
        retry_while(lambda: (_ for _ in ()).throw(ValueError()), lambda exc: isinstance(exc, Busy), Backoff(first=1.0), 5, clock.sleep)


def test_retry_while_raises_the_last_error_after_the_attempts():
    clock = FakeClock()

    def call():
        raise Busy()

    with pytest.raises(Busy):
        retry_while(call, lambda exc: True, Backoff(first=1.0), 3, clock.sleep)
    assert clock.slept == [1.0, 2.0]
