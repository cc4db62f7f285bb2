"""Two runs on the same service at once: the second waits briefly for the service lock, then
refuses with a message naming the holder (who, which command, how long), having changed nothing;
if the first finishes while it waits, it does not apply its now stale plan. Never interleaved."""
from __future__ import annotations

from pprint import pformat

import pytest

from ecsship.lock import ServiceLock

from tests.reliability.helpers import EXAMPLES, clean_snapshot, diff_snapshots, hook_every_aws, snapshot
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


def test_concurrent_runs_never_interleave(aws, run_cli, tmp_path, monkeypatch):
    expected = clean_snapshot(aws, run_cli, "worker")
    first, marker = start_paused_apply(aws, tmp_path, pause_at=3)  # a real process: lock held, 2 changes made
    try:
        clock = Clock()
        simulated_lock_wait(monkeypatch, clock)
        made = hook_every_aws(monkeypatch, lambda a: None)
        # a second apply and a deploy: each waits (10 s, simulated), then refuses naming the holder
        for args in (("apply", "--no-wait", "--yes"), ("deploy", "--image-tag", "v2", "--no-wait")):
            result = run_cli(*args, "-f", EXAMPLES["worker"])
            assert result.exit_code == 1, result.output
            assert "service worker in cluster shop is locked" in result.stderr
            assert f"pid {first.pid} running `apply`" in result.stderr, result.stderr
            assert "ecsship unlock" in result.stderr
        assert clock.slept >= 20
        assert set(writes_of(made)) == {"PutParameter"}  # only the failed lock attempts

        # a third run waits while the first finishes, gets the lock, and must not apply the plan
        # it made before: live AWS changed under it
        def let_the_first_finish():
            if marker.exists():
                marker.unlink()
                first.wait(timeout=60)

        clock.on_sleep = let_the_first_finish
        made.clear()
        third = run_cli("apply", "--no-wait", "-f", EXAMPLES["worker"], "--yes")
        assert third.exit_code == 1, third.output
        assert "changed while" in third.stderr and "nothing was applied" in third.stderr, third.stderr
        assert [op for op in writes_of(made) if op not in ("PutParameter", "DeleteParameter")] == []
    finally:
        marker.unlink(missing_ok=True)
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, out + err
    difference = diff_snapshots(expected, snapshot(aws))
    assert difference == {}, pformat(difference)  # exactly the first run's work, nothing twice
    print("\nconcurrency: 3 runs against a holder: 2 refused naming it after a 10 s wait, 1 stale plan refused; 0 writes")
