"""The watcher, the events it derives and the outcome logic, on scripted snapshots in simulated time."""
from __future__ import annotations

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.events import diff
from ecsship.deploy.rollout import follow
from ecsship.deploy.settings import DeploySettings
from ecsship.deploy.watcher import BASE_INTERVAL, MAX_INTERVAL, Watcher

from tests.deploy.scripted import ScriptedTracker, snap
from tests.doubles import FakeAws, TaggingEcs


class Recorder:
    def __init__(self):
        self.events, self.notes, self.snaps = [], [], []

    def event(self, e):
        self.events.append(e)

    def snapshot(self, s, elapsed):
        self.snaps.append((s, elapsed))

    def note(self, text, severity="info"):
        self.notes.append((text, severity))

    def close(self):
        pass


SETTINGS = DeploySettings(cluster="shop", service="web", timeout=600)


def test_completion_reported_on_the_poll_that_sees_it_and_events_once_per_change():
    tracker = ScriptedTracker([
        snap(new=(2, 2, 0, 0)),
        snap(new=(2, 2, 0, 0)),
        snap(new=(2, 0, 2, 0), events=[(1, "(service web) has started 2 tasks")]),
        snap("succeeded", new=(2, 0, 2, 0), old=(0, 0, 0, 0), serving="web:2"),
    ])
    clock, rec, aws = FakeClock(), Recorder(), FakeAws(TaggingEcs())
    outcome = follow(aws, SETTINGS, tracker, rec, clock)
    assert outcome.status == "succeeded" and outcome.exit_code == 0
    assert tracker.polls == 4
    kinds = [e.kind for e in rec.events]
    assert kinds[0] == "started"
    assert kinds.count("service_event") == 1
    assert kinds[-1] == "state"
    # the unchanged second snapshot produced nothing
    assert len([e for e in rec.events if e.kind == "tasks"]) == 4
    assert aws.client("ecs").tagged and aws.client("ecs").tagged[0][0].endswith("web:2")
    assert aws.client("ecs").tagged[0][1][0]["key"] == "ecsship:deployed-at"


def test_backoff_grows_to_fifteen_seconds_and_resets_on_a_phase_change():
    snaps = [snap(phase="SCALE_UP")] * 12 + [snap(phase="BAKE_TIME")] + [snap("succeeded", serving="web:2")]
    clock = FakeClock()
    Watcher(ScriptedTracker(snaps), clock, lambda e: None, timeout=3600).run()
    assert clock.slept[0] == BASE_INTERVAL
    assert max(clock.slept) == MAX_INTERVAL
    assert clock.slept[-1] == BASE_INTERVAL  # the phase changed just before the last sleep
    assert all(b >= a for a, b in zip(clock.slept[:11], clock.slept[1:11]))


def test_circuit_breaker_rollback_is_a_failure_naming_the_reason_and_the_serving_revision():
    reason = "circuit breaker tripped after 3 failed tasks (threshold 3)"
    tracker = ScriptedTracker([
        snap(new=(2, 1, 0, 1)),
        snap("rolling_back", new=(0, 0, 0, 3), reason=reason, stopped=(("Task failed ELB health checks", 3),)),
        snap("rolled_back", reason=reason, serving="web:1"),
    ])
    rec, aws = Recorder(), FakeAws(TaggingEcs())
    outcome = follow(aws, SETTINGS, tracker, rec, FakeClock())
    assert outcome.status == "rolled_back" and outcome.exit_code == 1
    assert outcome.serving == "web:1" and "circuit breaker" in outcome.reason
    assert not aws.client("ecs").tagged  # a failed revision is never recorded as good
    errors = [e for e in rec.events if e.severity == "error"]
    assert any(e.kind == "stopped_tasks" and "3× Task failed ELB health checks" in e.message for e in errors)


def test_timeout_rolls_back_and_fails():
    tracker = ScriptedTracker([snap(new=(2, 2, 0, 0))], after_rollback=[snap("rolling_back"), snap("rolled_back", serving="web:1")])
    clock, rec = FakeClock(), Recorder()
    outcome = follow(FakeAws(TaggingEcs()), SETTINGS, tracker, rec, clock, timeout=60)
    assert tracker.rolled_back
    assert outcome.status == "timed_out" and outcome.exit_code == 1
    assert "rolled back; web:1 serves" in outcome.reason
    assert 60 <= clock.t < 80  # gave up at the deadline, not a poll interval later
    assert any("rolling back" in text for text, _ in rec.notes)
    # watching the rollback carries on from the same picture and the same time line
    assert [e.kind for e in rec.events].count("started") == 1
    assert [e.at for e in rec.events] == sorted(e.at for e in rec.events)


def test_timeout_with_no_rollback_leaves_it_running():
    tracker = ScriptedTracker([snap(new=(2, 2, 0, 0))])
    outcome = follow(FakeAws(TaggingEcs()), SETTINGS, tracker, Recorder(), FakeClock(), timeout=30, rollback_on_timeout=False)
    assert not tracker.rolled_back
    assert outcome.status == "timed_out" and outcome.exit_code == 1


def test_ctrl_c_leaves_the_rollout_running_and_exits_130():
    clock = FakeClock()

    def interrupt(_):
        raise KeyboardInterrupt

    clock.sleep = interrupt
    tracker = ScriptedTracker([snap(new=(2, 2, 0, 0))])
    outcome = follow(FakeAws(TaggingEcs()), SETTINGS, tracker, Recorder(), clock)
    assert outcome.status == "interrupted" and outcome.exit_code == 130
    assert not tracker.rolled_back
    assert "ecsship rollback" in outcome.hint and "ecsship wait" in outcome.hint


def test_waiting_for_approval_ends_the_watch_with_a_hint():
    tracker = ScriptedTracker([snap(phase="TEST_TRAFFIC_SHIFT"), snap("waiting_approval", phase="POST_TEST_TRAFFIC_SHIFT", hook_id="h1")])
    outcome = follow(FakeAws(TaggingEcs()), SETTINGS, tracker, Recorder(), FakeClock())
    assert outcome.status == "waiting_approval" and outcome.exit_code == 3
    assert "ecsship promote" in outcome.hint


def test_events_traffic_alarms_and_wait():
    a = snap(traffic_new=0.0, traffic_old=100.0, alarms=(("web-5xx", "OK"),))
    b = snap(traffic_new=10.0, traffic_old=90.0, alarms=(("web-5xx", "ALARM"),), wait_left=290, wait_kind="canary bake",
             events=[(3, "(service web) deployment failed: alarm web-5xx in ALARM")])
    events = diff(a, b, 12.0)
    by_kind = {e.kind: e for e in events}
    assert by_kind["traffic"].message == "production traffic: web:2 10%, web:1 90%"
    assert by_kind["alarm"].severity == "error" and by_kind["alarm"].message == "alarm web-5xx: ALARM"
    assert by_kind["service_event"].severity == "error"
    assert by_kind["wait"].message == "canary bake: 4m50s left"
    # the wait is re-reported at most once a minute
    c = snap(traffic_new=10.0, traffic_old=90.0, alarms=(("web-5xx", "ALARM"),), wait_left=250, wait_kind="canary bake")
    assert [e.kind for e in diff(b, c, 52.0)] == []


def test_two_old_revisions_do_not_make_spurious_task_events():
    from ecsship.deploy.model import RevisionState, Snapshot

    revs = (RevisionState("web:3", "new", 2, 0, 1, 0), RevisionState("web:1", "old", 0, 0, 0, 0), RevisionState("web:2", "old", 2, 0, 2, 0))
    a = Snapshot("d", revisions=revs)
    b = Snapshot("d", revisions=revs)
    assert diff(a, b, 5.0) == []


def test_a_poll_failing_after_the_clients_retries_is_skipped_a_few_times_then_gives_up():
    import pytest

    from ecsship.aws.retrysafe import is_transient
    from ecsship.errors import AwsCallError

    class Flaky(ScriptedTracker):
        def __init__(self, fail_times, *a, **kw):
            super().__init__(*a, **kw)
            self.fail_times = fail_times

        def poll(self):
            if self.fail_times:
                self.fail_times -= 1
                raise AwsCallError("service web", "ecs:DescribeServices", "ThrottlingException", "Rate exceeded")
            return super().poll()

    rec = Recorder()
    tracker = Flaky(2, [snap(new=(2, 2, 0, 0)), snap("succeeded", serving="web:2")])
    outcome = follow(FakeAws(TaggingEcs()), SETTINGS, tracker, rec, FakeClock())
    assert outcome.status == "succeeded"
    assert [e.message for e in rec.events if e.kind == "note"] == ["poll failed (service web: ecs:DescribeServices failed: ThrottlingException: Rate exceeded); trying again"] * 2

    with pytest.raises(AwsCallError):
        follow(FakeAws(TaggingEcs()), SETTINGS, Flaky(5, [snap()]), Recorder(), FakeClock())
    denied = AwsCallError("service web", "ecs:DescribeServices", "AccessDeniedException", "no")
    assert not is_transient(denied)


def test_timeout_when_rollback_is_impossible_says_so():
    from ecsship.errors import AwsCallError

    class FirstDeployment(ScriptedTracker):
        def rollback(self):
            raise AwsCallError("service web", "ecs:StopServiceDeployment", "InvalidParameterException",
                               "There is no previous successful service revision to roll back to.")

    outcome = follow(FakeAws(TaggingEcs()), SETTINGS, FirstDeployment([snap(new=(2, 2, 0, 0))]), Recorder(), FakeClock(), timeout=30)
    assert outcome.status == "timed_out" and outcome.exit_code == 1
    assert "could not roll back" in outcome.reason and "no previous successful service revision" in outcome.reason
