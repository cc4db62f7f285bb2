"""Waiting on AWS: the one backoff policy object and the two loops every waiter uses, sleeping on an
injected clock (`deploy/clock.py`) so tests wait in simulated time and nothing calls time.sleep.

The deploy watcher has its own adaptive policy (`watcher.next_interval`: it resets when the rollout
moves); everything else that waits for AWS to finish something goes through here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """Delays `first`, then each `factor` times the last plus `step`, never above `cap` (seconds)."""

    first: float
    factor: float = 2.0
    cap: float = 15.0
    step: float = 0.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield min(self.cap, delay)
            delay = delay * self.factor + self.step


def wait_for(check: Callable[[float], T | None], backoff: Backoff, sleep: Callable[[float], None], timeout: float,
             timed_out: Callable[[float], Exception]) -> T:
    """Call `check(seconds waited)` until it returns something other than None; past `timeout`
    seconds raise `timed_out(seconds waited)`."""
    waited = 0.0
    for delay in backoff.delays():
        result = check(waited)
        if result is not None:
            return result
        if waited >= timeout:
            raise timed_out(waited)
        sleep(delay)
        waited += delay
    raise AssertionError("unreachable: delays() never ends")


def retry_while(call: Callable[[], T], retryable: Callable[[Exception], bool], backoff: Backoff, attempts: int,
                sleep: Callable[[float], None]) -> T:
    """`call()`, again after each delay while it raises what `retryable` accepts, at most `attempts`
    times; any other error, or the last attempt's, is raised."""
    delays = backoff.delays()
    for attempt in range(attempts):
        try:
            return call()
        except Exception as exc:
            if not retryable(exc) or attempt == attempts - 1:
                raise
        sleep(next(delays))
    raise AssertionError("unreachable: attempts >= 1")
