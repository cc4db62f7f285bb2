"""Two runs on the same service at once: the second waits briefly for the service lock, then
refuses with a message naming the holder (who, which command, how long), having changed nothing;
if the first finishes while it waits, it does not apply its now stale plan. Never interleaved."""
from __future__ import annotations

from pprint import pformat

import pytest

from ecsship.lock import ServiceLock
from tests.reliability.helpers import EXAMPLES, clean_snapshot, diff_snapshots, hook_every_aws, is_lock_call, snapshot
from tests.reliability.test_interruption import start_paused_apply

pytestmark = pytest.mark.reliability


class Clock:
    def __init__(self, on_sleep=None):
        self.now, self.slept, self.on_sleep = 1_000_000.0, 0.0, on_sleep

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.slept += seconds
        if self.on_sleep:
            self.on_sleep()


def simulated_lock_wait(monkeypatch, clock: Clock):
    monkeypatch.setattr(ServiceLock.__init__, "__defaults__", (clock, clock.sleep))


def writes_of(made) -> list[str]:
    return [op for aws in made for _, op in aws.calls.writes]


def test_second_run_waits_then_refuses_naming_the_holder(aws, run_cli, tmp_path, monkeypatch):
    expected = clean_snapshot(aws, run_cli, "worker")
    first, marker = start_paused_apply(aws, tmp_path, pause_at=3)  # holds the lock, 2 changes made
    try:
        clock = Clock()
        simulated_lock_wait(monkeypatch, clock)
        made = hook_every_aws(monkeypatch, lambda a: None)
        for args in (("apply", "--no-wait", "--yes"), ("deploy", "--image-tag", "v2", "--no-wait")):
            result = run_cli(*args, "-f", EXAMPLES["worker"])
            assert result.exit_code == 1, result.output
            assert "service worker in cluster shop is locked" in result.stderr
            assert f"pid {first.pid} running `apply`" in result.stderr, result.stderr
            assert "ecsship unlock" in result.stderr
        assert clock.slept >= 20  # each waited (10 s, simulated) before refusing
        assert set(writes_of(made)) == {"PutParameter"}  # only the failed lock attempts
    finally:
        marker.unlink(missing_ok=True)
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, out + err
    monkeypatch.undo()
    difference = diff_snapshots(expected, snapshot(aws))
    assert difference == {}, pformat(difference)


def test_a_run_that_got_the_lock_after_waiting_does_not_apply_a_stale_plan(aws, run_cli, tmp_path, monkeypatch):
    expected = clean_snapshot(aws, run_cli, "worker")
    first, marker = start_paused_apply(aws, tmp_path, pause_at=3)

    def let_the_first_finish():
        if marker.exists():
            marker.unlink()
            first.wait(timeout=60)

    simulated_lock_wait(monkeypatch, Clock(on_sleep=let_the_first_finish))
    made = hook_every_aws(monkeypatch, lambda a: None)
    second = run_cli("apply", "--no-wait", "-f", EXAMPLES["worker"], "--yes")
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, out + err
    # planned while the first held the lock: after waiting, it must not apply that plan blindly
    assert second.exit_code == 1, second.output
    assert "changed while" in second.stderr and "nothing was applied" in second.stderr, second.stderr
    assert [op for op in writes_of(made) if op not in ("PutParameter", "DeleteParameter")] == []
    monkeypatch.undo()
    difference = diff_snapshots(expected, snapshot(aws))
    assert difference == {}, pformat(difference)
    assert run_cli("plan", "--detailed-exitcode", "-f", EXAMPLES["worker"]).exit_code == 0
