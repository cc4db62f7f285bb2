"""What the patched moto code in this process needs to know about the running backend: its clock and
its simulator. One backend per process; in-process use without a LocalBackend gets a real-time clock.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ecsship.local.clock import SimulatedClock

clock: SimulatedClock = SimulatedClock(speed=1.0)
simulator = None  # set by LocalBackend; None when moto is used bare (e.g. in-process mock_aws)


def now() -> float:
    return clock.now()


def now_dt() -> datetime:
    """Simulated time as an aware UTC datetime (how moto's serializer expects timestamps)."""
    return datetime.fromtimestamp(clock.now(), tz=timezone.utc)
