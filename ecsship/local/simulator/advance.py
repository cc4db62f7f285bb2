"""Drives every simulated state machine forward to the clock's "now".

Called before each AWS request (and after a manual clock advance): time moves in ticks of at most
TICK seconds while anything is in motion, and jumps straight to "now" when nothing is, so a backend
left idle for hours catches up at once. Deterministic: the same requests at the same clock values
give the same answers.
"""
from __future__ import annotations

from ecsship.local.clock import SimulatedClock

TICK = 1.0
# A long gap (a laptop asleep with a fast clock) is crossed in at most this many ticks, each longer
# than a second: coarser, but a request never waits minutes. Gaps up to this many seconds keep 1 s ticks.
MAX_TICKS_PER_CATCH_UP = 2_000


class Simulator:
    def __init__(self, clock: SimulatedClock, fail_images: str = "*broken*", fail_mode: str = "health-check", install: bool = True):
        from ecsship.local.simulator import codedeploy_api, targets
        from ecsship.local.simulator.codedeploy import CodeDeployEngine
        from ecsship.local.simulator.ecs_scheduler import EcsEngine
        from ecsship.local.simulator.jobs import JobEngine

        if install:
            targets.apply_patches()
            codedeploy_api.install()
        self.clock = clock
        self.fail_images = fail_images
        self.fail_mode = fail_mode
        self.ecs = EcsEngine(self)
        self.codedeploy = CodeDeployEngine(self)
        self.jobs = JobEngine(self)
        self.last = clock.now()

    def configure(self, fail_images: str, fail_mode: str) -> None:
        self.fail_images = fail_images
        self.fail_mode = fail_mode

    def reset(self) -> None:
        self.last = self.clock.now()
        self.jobs.reset()

    def catch_up(self) -> None:
        """Up to now, stopping at each scheduled job's due time to start its task then."""
        from ecsship.local.simulator import container_instances

        container_instances.sync()
        now = self.clock.now()
        while (due := self.jobs.next_due(now)) is not None:
            self._advance_to(max(due[0], self.last))
            self.jobs.fire(*due)
        self._advance_to(now)

    def _advance_to(self, now: float) -> None:
        tick = max(TICK, (now - self.last) / MAX_TICKS_PER_CATCH_UP)
        while self.last < now:
            if not self.busy():
                self.last = now
                break
            self.last = min(self.last + tick, now)
            self.step(self.last)

    def busy(self) -> bool:
        return self.ecs.busy() or self.codedeploy.busy()

    def step(self, now: float) -> None:
        self.codedeploy.step(now)
        self.ecs.step(now)
