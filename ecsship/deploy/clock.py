"""Time, injectable so tests run in simulated time (no real sleeps).

One clock per run: `Application.clock()` makes it (or is given one: tests pass a `FakeClock` whose
`sleep` advances the local backend's simulator), the flows hand it to the watcher, and every `Aws`
the application makes carries it, so the core's waits on AWS find it through `clock_for(aws)`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable
from urllib.parse import urlsplit

from ecsship.local import client as local_client


@dataclass
class Clock:
    now: Callable[[], float] = time.monotonic  # seconds, only differences matter
    sleep: Callable[[float], None] = time.sleep
    wall: Callable[[], datetime] = lambda: datetime.now(timezone.utc)


class FakeClock(Clock):
    """A clock that only moves when slept on; `on_sleep` lets a test move a simulator too."""

    def __init__(self, start: float = 0.0, on_sleep: Callable[[float], None] | None = None):
        self.t = start
        self.slept: list[float] = []
        self._on_sleep = on_sleep
        self._epoch = datetime(2026, 1, 1, tzinfo=timezone.utc)
        super().__init__(now=lambda: self.t, sleep=self._sleep, wall=self._wall)

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds
        if self._on_sleep is not None:
            self._on_sleep(seconds)

    def _wall(self) -> datetime:
        return self._epoch + timedelta(seconds=self.t)


def clock_for(aws) -> Clock:
    """The clock for a wait on `aws`: the one the run gave it (`aws.clock`), else the real one. A
    local AWS with a manual clock (the test backend) only moves when told to: there a real sleep
    would wait forever for a pending resource, so each sleep advances that backend's clock instead,
    exactly as the tests' in-process clock does. That keeps `ecsship` run as a subprocess against the
    test backend making progress. A clock injected by a test (anything but the plain Clock) is used
    as it is."""
    clock = getattr(aws, "clock", None) or Clock()
    port = _manual_local_port(aws) if type(clock) is Clock else None
    if port is None:
        return clock
    return FakeClock(on_sleep=lambda seconds: local_client.control(port, "advance", seconds=seconds) and None)


def _manual_local_port(aws) -> int | None:
    if not getattr(aws, "local", False) or not getattr(aws, "endpoint_url", None):
        return None
    port = urlsplit(aws.endpoint_url).port
    status = local_client.probe(port) if port else None
    return port if status and (status.get("clock") or {}).get("manual") else None
