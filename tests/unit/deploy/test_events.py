"""deploy.events: two consecutive snapshots -> the events worth telling, once each."""
from __future__ import annotations

from ecsship.deploy.events import diff, is_failure_message
from ecsship.deploy.model import ROLLED_BACK, SUCCEEDED, RevisionState, ServiceEvent, Snapshot


def snap(**kw) -> Snapshot:
    kw.setdefault("revisions", (RevisionState("web:1", "old", 2, 0, 2), RevisionState("web:2", "new", 2, 2, 0)))
    return Snapshot("ecs-svc/1", **kw)


def kinds(events):
    return [e.kind for e in events]


def test_the_first_poll_says_which_revisions_are_involved():
    events = diff(None, snap(), 0.0)
    assert events[0].kind == "started" and events[0].message == "deployment ecs-svc/1: web:1 → web:2"


def test_an_unchanged_snapshot_tells_nothing():
    assert diff(snap(), snap(), 5.0) == []


def test_task_counts_moving_is_one_tasks_event():
    after = snap(revisions=(RevisionState("web:1", "old", 2, 0, 2), RevisionState("web:2", "new", 2, 0, 2)))
    (event,) = diff(snap(), after, 5.0)
    assert event.kind == "tasks" and event.message == "web:2 (new): 2/2 running" and event.severity == "info"


def test_more_failed_tasks_is_a_warning():
    after = snap(revisions=(RevisionState("web:1", "old", 2, 0, 2), RevisionState("web:2", "new", 2, 1, 0, failed=1)))
    (event,) = diff(snap(), after, 5.0)
    assert event.severity == "warning" and "1 failed" in event.message


def test_traffic_is_told_when_weights_change():
    before = snap(revisions=(RevisionState("web:1", "old", traffic=100.0), RevisionState("web:2", "new", traffic=0.0)))
    after = snap(revisions=(RevisionState("web:1", "old", traffic=90.0), RevisionState("web:2", "new", traffic=10.0)))
    events = diff(before, after, 5.0)
    assert [e.message for e in events if e.kind == "traffic"] == ["production traffic: web:1 90%, web:2 10%"]


def test_service_events_are_told_oldest_first_and_once():
    first = snap(events=(ServiceEvent("b", "t2", "has reached a steady state."), ServiceEvent("a", "t1", "has started 2 tasks")))
    told = [e.message for e in diff(None, first, 0.0) if e.kind == "service_event"]
    assert told == ["has started 2 tasks", "has reached a steady state."]
    later = snap(events=(ServiceEvent("c", "t3", "is unhealthy in target-group x"), *first.events))
    (event,) = [e for e in diff(first, later, 5.0) if e.kind == "service_event"]
    assert event.message == "is unhealthy in target-group x" and event.severity == "error"


def test_an_alarm_going_off_is_an_error():
    (event,) = diff(snap(alarms=(("web-5xx", "OK"),)), snap(alarms=(("web-5xx", "ALARM"),)), 5.0)
    assert (event.kind, event.severity, event.message) == ("alarm", "error", "alarm web-5xx: ALARM")


def test_unhealthy_targets_are_a_warning():
    (event,) = diff(snap(), snap(targets=(("healthy", 1), ("unhealthy", 1))), 5.0)
    assert event.kind == "targets" and event.severity == "warning"


def test_a_wait_is_told_once_a_minute():
    before = snap(wait_left=300, wait_kind="bake")
    assert diff(before, snap(wait_left=290, wait_kind="bake"), 10.0) == []
    (event,) = diff(before, snap(wait_left=240, wait_kind="bake"), 60.0)
    assert event.kind == "wait" and event.message.startswith("bake: ")


def test_success_and_rollback_end_with_a_state_line():
    (done,) = [e for e in diff(snap(), snap(state=SUCCEEDED, serving="web:2"), 9.0) if e.kind == "state"]
    assert done.severity == "success" and done.message == "deployment completed; web:2 serves"
    (back,) = [e for e in diff(snap(), snap(state=ROLLED_BACK, reason="circuit breaker.", serving="web:1"), 9.0) if e.kind == "state"]
    assert back.severity == "error" and back.message == "rolled back: circuit breaker; web:1 serves"


def test_failure_words():
    assert is_failure_message("Task failed ELB health checks") and is_failure_message("exit code 1")
    assert not is_failure_message("has reached a steady state.") and not is_failure_message("exit code 0")
