"""Crash consistency: `apply` dies right after its k-th mutating call (the call took effect, its
answer never reached ecsship), then `apply` runs again. The final state equals an uninterrupted
run's (no duplicate or orphaned resource) and `destroy --yes` still removes everything.

The crashes are chained: each run dies after `step` mutating calls of its own, the next run plans
from the state it left and dies in turn, until a run completes; so every crash point is resumed
from. By default worker crashes after every one of its mutating calls (every k) and, to keep the
suite fast, web and bluegreen after every 6th, from offsets chosen so crashes land in different
resource kinds;
ECSSHIP_RELIABILITY_FULL=1 crashes after every mutating call of every example (about 90 runs).
The lock's own put/delete are not counted: a run that dies holding the lock is test_lock's.
"""
from __future__ import annotations

import os
from pprint import pformat

import pytest

from ecsship.aws.session import is_read_operation

from tests.reliability.helpers import EXAMPLES, SimulatedCrash, clean_snapshot, destroyed_snapshot, diff_snapshots, hook_every_aws, is_lock_call, snapshot

pytestmark = pytest.mark.reliability

# example -> (first, step): the first run dies after `first` mutating calls, each later one after `step`
PLANS = {"worker": (1, 1), "web": (3, 6), "bluegreen": (5, 6)}
FULL = bool(os.environ.get("ECSSHIP_RELIABILITY_FULL"))
if FULL:
    PLANS = {name: (1, 1) for name in PLANS}


def install_crash(aws, limit: int, points: list):
    """This Aws object's process 'dies' right after its limit-th mutating call returns."""
    seen: list = []

    def before_build(model=None, params=None, context=None, **_):
        if context is not None:
            context["ecsship_test_lock"] = is_lock_call(model.name, params or {})

    def after_call(model=None, context=None, **_):
        if is_read_operation(model.name) or (context or {}).get("ecsship_test_lock") or len(seen) >= limit:
            return
        seen.append(model.name)
        if len(seen) == limit:
            points.append(f"{model.service_model.service_name}:{model.name}")
            raise SimulatedCrash(f"process died after {model.name}")

    aws.session.events.register("before-parameter-build.*.*", before_build)
    aws.session.events.register("after-call.*.*", after_call)


@pytest.mark.parametrize("name", ["worker", "web", "bluegreen"])
def test_apply_crashed_after_each_kth_mutating_call_converges(name, aws, run_cli, monkeypatch):
    expected = clean_snapshot(aws, run_cli, name)
    # destroy is checked where it has the most kinds to remove (worker's kinds are a subset of web's)
    gone = destroyed_snapshot(aws, run_cli, name) if name != "worker" or FULL else None
    first, step = PLANS[name]
    points: list = []
    limit = {"next": first}
    hook_every_aws(monkeypatch, lambda a: limit["next"] and install_crash(a, limit["next"], points))
    runs = 0
    while True:
        runs += 1
        assert runs < 100, points
        try:
            result = run_cli("apply", "--no-wait", "-f", EXAMPLES[name], "--yes")
        except SimulatedCrash:
            limit["next"] = step
            continue
        assert result.exit_code == 0, result.output
        break
    limit["next"] = 0  # no more crashes (not monkeypatch.undo: the simulated-time patches must stay)
    difference = diff_snapshots(expected, snapshot(aws))
    assert difference == {}, pformat(difference)
    assert len(points) == runs - 1 and len(points) >= (3 if step > 1 else 15)
    print(f"\ncrashes {name}: runs={runs} crash points={len(points)}: {', '.join(points)}")
    if gone is None:
        return
    destroyed = run_cli("destroy", "-f", EXAMPLES[name], "--yes")
    assert destroyed.exit_code == 0, destroyed.output
    difference = diff_snapshots(gone, snapshot(aws))
    assert difference == {}, pformat(difference)
