"""`ecsship rollback`: stop a rollout in progress and unwind it, or roll out the last good revision
before the current one (or --to-revision N)."""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace

from ecsship.app.revision import move_jobs
from ecsship.app.rollout import RolloutRun, parse_timeout
from ecsship.app.signals import sigterm_as_interrupt
from ecsship.deploy.lastgood import failed_without_success, previous_good, resolve_revision
from ecsship.deploy.model import Outcome
from ecsship.deploy.names import family_of, revision_name, short_deployment
from ecsship.deploy.rollout import follow, roll_out
from ecsship.deploy.strategies import strategy_for
from ecsship.errors import UsageError


def rollback(app, file, env, var, **kwargs) -> None:
    with sigterm_as_interrupt():
        _rollback(app, file, env, var, **kwargs)


def _rollback(app, file, env, var, *, to_revision, timeout, wait) -> None:
    if to_revision is not None and to_revision < 1:
        raise UsageError(f"--to-revision {to_revision}: revisions are numbered from 1")
    limit = parse_timeout(timeout)
    c = RolloutRun(app, file, env, var)
    strategy = strategy_for(c.aws, c.settings, c.clock)
    tracker = strategy.attach()
    if tracker is not None:
        if to_revision is not None:
            raise UsageError("a deployment is in progress: `rollback` stops it and returns to the revision it replaced; --to-revision applies once it has ended")
        c.view.note(f"stopping deployment {short_deployment(tracker.id)} and rolling back to {revision_name(tracker.old_td) or 'the previous revision'}", "warning")
        with c.start_lock("rollback"):  # never interleaved with another run's start (issue #22)
            tracker.rollback()
        if not wait:
            c.finish(Outcome("started", tracker.id, revision_name(tracker.new_td), revision_name(tracker.old_td),
                             hint="follow it with `ecsship wait`"))
        outcome = follow(c.aws, c.settings, tracker, _AskedRollback(c.view), c.clock, timeout=limit, rollback_on_timeout=False,
                         mark=False, stop_when_waiting=False)  # a paused deployment being abandoned: watch it unwind
        if outcome.status in ("rolled_back", "stopped"):
            outcome.status = "reverted"
        c.finish(outcome)
    service = strategy.describe_service()
    current = strategy.current_task_definition_of(service)
    if to_revision is not None:

        target = resolve_revision(c.aws, c.settings, family_of(current), to_revision)
        if failed_without_success(c.aws, c.settings, target):
            c.view.note(f"{revision_name(target)} never deployed successfully (its deployments failed); "
                        "rolling back to it because --to-revision asked for it", "warning")
    else:
        target = previous_good(c.aws, c.settings, current)
    c.view.note(f"rolling back from {revision_name(current)} to {revision_name(target)}")
    with ExitStack() as lock:
        lock.enter_context(c.start_lock("rollback"))
        outcome = roll_out(c.aws, c.settings, target, c.view, clock=c.clock, wait=wait, timeout=limit,
                           rollback_on_timeout=True, on_started=lock.close)
    if wait and outcome.status == "succeeded":
        move_jobs(c)  # the scheduled jobs run what the service runs again
    c.finish(outcome)


class _AskedRollback:
    """The view while `rollback` unwinds a rollout it stopped: its rolling back and rolled back are
    what was asked for, not failures (no "✖ rolled back" before "✔ rolled back")."""
    def __init__(self, view):
        self._view = view

    def __getattr__(self, name):
        return getattr(self._view, name)

    def event(self, event) -> None:
        asked = (event.kind == "state" and event.data.get("state") in ("rolling_back", "rolled_back", "stopped")) or (
            event.kind == "service_event" and ("rolling back" in event.message or "rolled back" in event.message))
        if asked:
            event = replace(event, severity="info")
        self._view.event(event)
