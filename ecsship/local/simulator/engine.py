"""Drives every simulated state machine forward to the clock's "now" (called before each request)."""
from __future__ import annotations

from ecsship.local.clock import Clock


class Simulator:
    def __init__(self, clock: Clock, fail_images: str = "*broken*", fail_mode: str = "health-check"):
        self.clock = clock
        self.fail_images = fail_images
        self.fail_mode = fail_mode

    def configure(self, fail_images: str, fail_mode: str) -> None:
        self.fail_images = fail_images
        self.fail_mode = fail_mode

    def reset(self) -> None:
        pass

    def catch_up(self) -> None:
        pass
