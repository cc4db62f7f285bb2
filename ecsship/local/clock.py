"""The backend's clock. Simulated time is what the rollout simulator runs on.

Real mode runs `speed` times faster than the wall clock (so a 5-minute canary wait takes 20 s at
the default speed); manual mode stands still until `advance()` is called (tests). Both accept
`advance()`, so a test or a user can skip ahead.
"""
from __future__ import annotations

import threading
import time

DEFAULT_SPEED = 15.0


class SimulatedClock:
    def __init__(self, speed: float = DEFAULT_SPEED, manual: bool = False):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.manual = manual
        self._lock = threading.Lock()
        self._start_epoch = time.time()
        self._start_mono = time.monotonic()
        self._offset = 0.0

    def now(self) -> float:
        """Simulated seconds since the epoch."""
        with self._lock:
            elapsed = 0.0 if self.manual else (time.monotonic() - self._start_mono) * self.speed
            return self._start_epoch + elapsed + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
        return self.now()

    def describe(self) -> dict:
        return {"now": self.now(), "speed": self.speed, "manual": self.manual}
