"""Scripted trackers and fake AWS clients: drive the watcher, views and outcome logic without a backend."""
from __future__ import annotations

from ecsship.deploy.model import RevisionState, ServiceEvent, Snapshot


class ScriptedTracker:
    """Returns the given snapshots in turn (the last one repeats); records rollback/continue calls."""

    def __init__(self, snapshots, old_td="arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
                 new_td="arn:aws:ecs:us-east-1:123456789012:task-definition/web:2", after_rollback=None):
        self.snapshots = list(snapshots)
        self.old_td, self.new_td = old_td, new_td
        self.id = snapshots[0].deployment_id
        self.polls = 0
        self.rolled_back = False
        self.after_rollback = list(after_rollback or [])

    def poll(self) -> Snapshot:
        self.polls += 1
        if self.rolled_back and self.after_rollback:
            return self.after_rollback.pop(0) if len(self.after_rollback) > 1 else self.after_rollback[0]
        return self.snapshots.pop(0) if len(self.snapshots) > 1 else self.snapshots[0]

    def rollback(self) -> None:
        self.rolled_back = True


def snap(state="in_progress", new=(2, 0, 0, 0), old=(2, 0, 2, 0), **kw) -> Snapshot:
    revs = (
        RevisionState("web:2", "new", *new, traffic=kw.pop("traffic_new", None)),
        RevisionState("web:1", "old", *old, traffic=kw.pop("traffic_old", None)),
    )
    events = tuple(ServiceEvent(f"e{i}", f"2026-01-01T00:00:{i:02d}", m) for i, m in kw.pop("events", ()))
    return Snapshot(deployment_id=kw.pop("deployment_id", "ecs-svc/1"), state=state, revisions=revs, events=events, **kw)
