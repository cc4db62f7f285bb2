"""Poll a tracked deployment until it ends, turning snapshots into events for whoever listens.

The watcher knows nothing about AWS (a tracker's `poll()` does the calls) nor about the
terminal (listeners render). Throttling is handled by the retrying boto3 clients underneath.

Polling policy: start at 3 s and grow ×1.5 up to 15 s while nothing moves; any change (state,
phase, task counts, traffic, targets, a new service event) drops back to 3 s because the next
step usually follows quickly. 3 s, not less: with one read on a quiet poll (the trackers' own
policy) a rolling watch makes at most 20 reads a minute (issue #20 item 3), and the end of a
rollout is still seen within 3 s. A known wait (bake time, canary interval) caps the sleep so its
end is reported within one poll.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from ecsship.deploy.clock import Clock
from ecsship.deploy.events import diff
from ecsship.deploy.model import WAITING_APPROVAL, Event, Snapshot

BASE_INTERVAL = 3.0
MAX_INTERVAL = 15.0
GROWTH = 1.5
SETTLING_INTERVAL = 3.0  # once every new task runs, completion can come at any poll
MAX_FAILED_POLLS = 5  # in a row, each after the client's own retries: then the watch gives up


class Tracker(Protocol):
    def poll(self) -> Snapshot: ...


@dataclass
class WatchResult:
    snapshot: Snapshot
    timed_out: bool = False
    elapsed: float = 0.0

    @property
    def waiting_approval(self) -> bool:
        return self.snapshot.state == WAITING_APPROVAL


class Watcher:
    def __init__(
        self,
        tracker: Tracker,
        clock: Clock,
        on_event: Callable[[Event], None],
        on_snapshot: Callable[[Snapshot, float], None] | None = None,
        timeout: float | None = None,
        stop_when_waiting: bool = True,
        previous: Snapshot | None = None,
        offset: float = 0.0,
        transient: Callable[[BaseException], bool] | None = None,
        approve: Callable[[Snapshot], None] | None = None,
        approved: tuple[str, ...] = (),
    ):
        self.tracker = tracker
        self.clock = clock
        self.on_event = on_event
        self.on_snapshot = on_snapshot
        self.timeout = timeout
        self.stop_when_waiting = stop_when_waiting
        self.polls = 0
        # Carrying on from an earlier watch (a rollback after a timeout): only changes are news,
        # and times keep counting from the first watch's start.
        self.previous = previous
        self.offset = offset
        # A poll that still fails after the client's retries (throttling, a dropped connection)
        # must not abandon a rollout that is going fine: skip it and poll again, a few times.
        self.transient = transient or (lambda exc: False)
        # An approved deployment that pauses again (ECS runs PRE_PRODUCTION_TRAFFIC_SHIFT hooks
        # before every canary/linear step) is continued, once per pause (hook id), by `approve`.
        self.approve = approve
        self.approved = set(approved)

    def run(self) -> WatchResult:
        start = self.clock.now() - self.offset
        previous: Snapshot | None = self.previous
        interval = BASE_INTERVAL
        failures = 0
        while True:
            try:
                snap = self.tracker.poll()
            except Exception as exc:
                failures += 1
                if not self.transient(exc) or failures >= MAX_FAILED_POLLS:
                    raise
                self.on_event(Event("note", f"poll failed ({getattr(exc, 'message', exc)}); trying again",
                                    self.clock.now() - start, "warning"))
                self.clock.sleep(interval)
                continue
            failures = 0
            self.polls += 1
            elapsed = self.clock.now() - start
            events = diff(previous, snap, elapsed)
            for event in events:
                self.on_event(event)
            moved = any(e.kind != "wait" for e in events)
            if self.on_snapshot is not None:
                self.on_snapshot(snap, elapsed)
            if snap.terminal or (self.stop_when_waiting and snap.state == WAITING_APPROVAL):
                return WatchResult(snap, False, elapsed)
            if snap.state == WAITING_APPROVAL and self.approve is not None and snap.hook_id not in self.approved:
                self.approved.add(snap.hook_id)
                self.on_event(Event("note", "paused again before the next traffic step: continuing (approved)", elapsed))
                self.approve(snap)
            if self.timeout is not None and elapsed - self.offset >= self.timeout:
                return WatchResult(snap, True, elapsed)
            interval = next_interval(interval, previous, snap, moved)
            pause = interval
            if snap.wait_left is not None and snap.wait_left > 0:
                pause = min(pause, max(1.0, float(snap.wait_left)))
            elif settling(snap):
                pause = min(pause, SETTLING_INTERVAL)
            if self.timeout is not None:
                pause = min(pause, max(0.5, self.timeout - (elapsed - self.offset)))
            previous = snap
            self.clock.sleep(pause)


def settling(snap: Snapshot) -> bool:
    """The rollout is on its last step: every new task runs, or every one is launched and some already
    run (the last ones are pending). What is left (the last tasks starting, ECS seeing them healthy,
    stopping the old ones, marking the deployment complete) often happens at once with no visible
    step before it, so the end is worth seeing within a few seconds rather than after a long
    backed-off pause (completion -> exit within one poll and 3 s, issue #20 item 3)."""
    new = [r for r in snap.revisions if r.role == "new"]
    return bool(new) and all(r.desired > 0 and (_all_run(r) or _last_pending(r)) for r in new)


def _all_run(r) -> bool:
    return r.running >= r.desired and r.pending == 0


def _last_pending(r) -> bool:
    return r.running > 0 and r.pending > 0 and r.running + r.pending >= r.desired


def next_interval(current: float, previous: Snapshot | None, snap: Snapshot, moved: bool = False) -> float:
    if previous is None or moved:
        return BASE_INTERVAL
    if previous.state != snap.state or previous.phase != snap.phase:
        return BASE_INTERVAL
    return min(MAX_INTERVAL, current * GROWTH)
