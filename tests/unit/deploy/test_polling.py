"""deploy.watcher's polling policy: 2 s, ×1.5 up to 15 s while nothing moves; back to 2 s on change."""
from __future__ import annotations

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.model import SUCCEEDED, WAITING_APPROVAL, RevisionState, Snapshot
from ecsship.deploy.watcher import BASE_INTERVAL, GROWTH, MAX_INTERVAL, SETTLING_INTERVAL, Watcher, next_interval, settling

SAME = Snapshot("d", revisions=(RevisionState("web:2", "new", 2, 2, 0),))


class Scripted:
    def __init__(self, snaps):
        self.snaps = list(snaps)

    def poll(self):
        return self.snaps.pop(0) if len(self.snaps) > 1 else self.snaps[0]


def test_the_first_poll_and_any_move_reset_to_the_base_interval():
    assert next_interval(10.0, None, SAME) == BASE_INTERVAL
    assert next_interval(10.0, SAME, SAME, moved=True) == BASE_INTERVAL


def test_nothing_moving_grows_the_interval_up_to_the_cap():
    assert next_interval(BASE_INTERVAL, SAME, SAME) == BASE_INTERVAL * GROWTH
    assert next_interval(14.0, SAME, SAME) == MAX_INTERVAL


def test_a_phase_change_resets():
    assert next_interval(10.0, SAME, Snapshot("d", phase="BAKE_TIME", revisions=SAME.revisions)) == BASE_INTERVAL


def test_settling_when_every_new_task_runs():
    assert settling(Snapshot("d", revisions=(RevisionState("web:2", "new", 2, 0, 2),)))
    assert not settling(SAME) and not settling(Snapshot("d"))


def test_the_watcher_backs_off_while_nothing_moves_then_stops_on_success():
    clock = FakeClock()
    snaps = [SAME] * 6 + [Snapshot("d", state=SUCCEEDED, revisions=SAME.revisions)]
    result = Watcher(Scripted(snaps), clock, lambda e: None).run()
    assert result.snapshot.state == SUCCEEDED and not result.timed_out
    assert clock.slept[0] == BASE_INTERVAL and clock.slept == sorted(clock.slept) and max(clock.slept) <= MAX_INTERVAL
    assert clock.slept[1] == BASE_INTERVAL * GROWTH


def test_a_known_wait_caps_the_sleep():
    clock = FakeClock()
    waiting = Snapshot("d", revisions=SAME.revisions, wait_left=1, wait_kind="bake")
    Watcher(Scripted([waiting, Snapshot("d", state=SUCCEEDED)]), clock, lambda e: None).run()
    assert clock.slept == [1.0]


def test_settling_caps_the_sleep():
    clock = FakeClock()
    running = Snapshot("d", revisions=(RevisionState("web:2", "new", 2, 0, 2),))
    Watcher(Scripted([running] * 8 + [Snapshot("d", state=SUCCEEDED)]), clock, lambda e: None).run()
    assert max(clock.slept) <= SETTLING_INTERVAL


def test_the_timeout_ends_the_watch_and_caps_the_last_sleep():
    clock = FakeClock()
    result = Watcher(Scripted([SAME]), clock, lambda e: None, timeout=20).run()
    assert result.timed_out and result.elapsed >= 20 and sum(clock.slept) == result.elapsed


def test_waiting_for_approval_stops_the_watch_unless_told_to_wait_on():
    paused = Snapshot("d", state=WAITING_APPROVAL)
    assert Watcher(Scripted([paused]), FakeClock(), lambda e: None).run().waiting_approval
    result = Watcher(Scripted([paused, Snapshot("d", state=SUCCEEDED)]), FakeClock(), lambda e: None, stop_when_waiting=False).run()
    assert result.snapshot.state == SUCCEEDED
