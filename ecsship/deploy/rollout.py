"""Roll a task definition revision out through the manifest's strategy, watch it, decide the outcome.

    roll_out(aws, settings, task_definition, view) -> Outcome

is the one entry point `deploy`, `rollback` and `apply` use, so all three share the guard,
the watch, the outcome and exit codes, and the record of the last good revision.
"""
from __future__ import annotations

from typing import Callable

from ecsship.aws.retrysafe import is_transient
from ecsship.deploy import clock as clocks
from ecsship.deploy.clock import Clock
from ecsship.deploy.lastgood import mark_good
from ecsship.deploy.model import (
    FAILED,
    ROLLED_BACK,
    STOPPED,
    SUCCEEDED,
    WAITING_APPROVAL,
    Outcome,
)
from ecsship.deploy.names import revision_name, short_deployment
from ecsship.deploy.scaling import scale_in_suspended
from ecsship.deploy.settings import DeploySettings
from ecsship.deploy.stability import StabilityWatch
from ecsship.deploy.strategies import strategy_for
from ecsship.deploy.watcher import Watcher
from ecsship.errors import EcsshipError
from ecsship.manifest.durations import format_duration
from ecsship.ops.failing import failing_task


class DeployInProgress(EcsshipError):
    pass


def roll_out(
    aws,
    settings: DeploySettings,
    task_definition: str,
    view,
    *,
    clock: Clock | None = None,
    wait: bool = True,
    force: bool = False,
    rollback_on_timeout: bool = True,
    timeout: int | None = None,
    redeploy: bool = False,
    mark: bool = True,
    on_started=None,
    service: dict | None = None,
    listed: Callable[[], list[str] | None] | None = None,
) -> Outcome:
    """Start a deployment of `task_definition` and (unless `wait=False`) follow it to its end.

    - refuses while another deployment of the service is in progress, unless `force`;
    - returns Outcome("unchanged") when the revision already serves (unless `redeploy`);
    - success means the deployment this call started completed; the revision is then tagged
      as good (see lastgood.py) unless `mark=False`;
    - on timeout, rolls back unless `rollback_on_timeout=False`; Ctrl-C → Outcome("interrupted");
    - `on_started()` is called once the rollout has started (or nothing needs starting): callers
      release the service lock there, so the lock never outlives a killed watch;
    - `service`: the service's description as the caller read it under the same lock (deploy's
      plan), so the in-progress guard and the start do not read it again; None reads it here.
    - `listed`: gives the guard's list of deployments in progress (the strategy's
      `listed_deployments`) as the caller read it under the same lock, beside its other reads
      (issue #20 item 1); None, or a call giving None, reads it here.
    """
    try:
        return _roll_out(aws, settings, task_definition, view, clock, wait, force, rollback_on_timeout, timeout, redeploy, mark, on_started,
                         service, listed)
    finally:
        if on_started is not None:
            on_started()


def _roll_out(aws, settings, task_definition, view, clock, wait, force, rollback_on_timeout, timeout, redeploy, mark, on_started,
              service=None, listed=None) -> Outcome:
    clock = clock or clocks.clock_for(aws)
    strategy = strategy_for(aws, settings, clock)
    service = service or strategy.describe_service()
    if not force:
        active = strategy.active_deployments(service, listed=listed() if listed is not None else None)
        attached = _attach_to_same(strategy, task_definition, view) if active and not redeploy else None
        if attached is not None:  # a re-run of the same deploy: follow the rollout already going
            if on_started is not None:
                on_started()
            if not wait:
                return Outcome("started", attached.id, revision_name(attached.old_td), revision_name(task_definition),
                               hint=ATTACH_HINT)
            return follow(aws, settings, attached, view, clock, timeout=timeout, rollback_on_timeout=rollback_on_timeout, mark=mark)
        if active:
            raise DeployInProgress(
                f"another deployment of service {settings.service} is in progress: {', '.join(map(short_deployment, active))}",
                "follow it with `ecsship wait`, stop it with `ecsship rollback`, or pass --force",
            )
    current = strategy.current_task_definition_of(service)
    if current == task_definition and not redeploy:
        return Outcome("unchanged", serving=revision_name(current), new_revision=revision_name(current))
    if not wait:
        if settings.suspend_scale_in:
            view.note("deploy.suspend_scale_in is not applied with --no-wait: nothing would be there to restore it", "warning")
        tracker = strategy.start(task_definition, force_new=redeploy, before=service)
        if on_started is not None:
            on_started()
        return Outcome("started", tracker.id, revision_name(tracker.old_td), revision_name(task_definition),
                       hint=ATTACH_HINT)
    with scale_in_suspended(aws, settings.cluster, settings.service, settings.suspend_scale_in, note=view.note):
        tracker = strategy.start(task_definition, force_new=redeploy, before=service)
        if on_started is not None:
            on_started()
        return follow(aws, settings, tracker, view, clock, timeout=timeout, rollback_on_timeout=rollback_on_timeout, mark=mark)


ATTACH_HINT = "follow it with `ecsship wait` (or run the same deploy again); stop it with `ecsship rollback`"


def _attach_to_same(strategy, task_definition: str, view):
    """The in-progress deployment when it rolls out `task_definition` (re-run after Ctrl-C, a
    cancelled CI job, `--no-wait`): attached to, not refused."""
    tracker = strategy.attach()
    if tracker is None or tracker.new_td != task_definition:
        return None
    view.note(f"deployment {short_deployment(tracker.id)} is already rolling out {revision_name(task_definition)}: following it")
    return tracker


def follow(aws, settings: DeploySettings, tracker, view, clock: Clock, *, timeout: int | None = None,
           rollback_on_timeout: bool = True, mark: bool = True, stop_when_waiting: bool = True,
           approved: str | None = None, stability: bool = True) -> Outcome:
    """Watch `tracker` to its end and turn what happened into an Outcome.

    A completed ECS deployment is then watched for `settings.stability_window` (stability.py): a task
    of the new revision whose essential container exits fails it, and the old revision is deployed
    again (`stability=False` for that return, which is not itself watched).

    `approved`: the pause (hook id) the operator approved; every later pause of the same deployment
    is continued too (`promote` approves the deployment, not one traffic step of it)."""
    limit = settings.timeout if timeout is None else timeout
    started = clock.now()
    old, new = revision_name(tracker.old_td), revision_name(tracker.new_td)
    approve = (lambda snap: tracker.continue_(snap.hook_id)) if approved is not None else None
    watcher = Watcher(tracker, clock, view.event, view.snapshot, timeout=limit, stop_when_waiting=stop_when_waiting, transient=is_transient,
                      approve=approve, approved=(approved,) if approved is not None else ())
    try:
        result = watcher.run()
    except KeyboardInterrupt:
        view.close()
        return Outcome("interrupted", tracker.id, old, new, duration=clock.now() - started,
                       hint=ATTACH_HINT)  # the line before says it keeps going
    snap = result.snapshot
    took = clock.now() - started
    if result.timed_out:
        if not rollback_on_timeout:
            return Outcome("timed_out", tracker.id, old, new, reason=f"still in progress after {format_duration(limit)}; left running (--no-rollback)",
                           duration=took, hint=ATTACH_HINT)
        view.note(f"no completion after {format_duration(limit)}: rolling back", "error")
        try:
            tracker.rollback()
        except EcsshipError as exc:  # e.g. a service's first deployment: there is nothing to return to
            return Outcome("timed_out", tracker.id, old, new, duration=clock.now() - started,
                           reason=f"could not roll back ({exc.message}); the deployment is left running",
                           hint="follow it with `ecsship wait`")
        after = Watcher(tracker, clock, view.event, view.snapshot, timeout=limit, previous=snap, offset=result.elapsed,
                        transient=is_transient).run()
        serving = after.snapshot.serving
        if after.snapshot.state == ROLLED_BACK or (after.snapshot.terminal and serving == old):
            reason = f"rolled back; {serving or old} serves"
        else:
            reason = f"rollback {after.snapshot.state.replace('_', ' ')}" + (f"; {serving} serves" if serving else "")
        return Outcome("timed_out", tracker.id, old, new, serving=serving, reason=reason, duration=clock.now() - started,
                       failed_task=failing_task(aws, settings, tracker.new_td))
    if snap.state == SUCCEEDED and stability and settings.stability_window > 0 and not settings.uses_codedeploy:
        crash = _watch_stability(aws, settings, tracker, view, clock)
        if crash is not None:
            return _roll_back_crash(aws, settings, tracker, view, clock, crash, started, limit)
    if snap.state == SUCCEEDED:
        if mark:
            mark_good(aws, tracker.new_td, clock.wall().isoformat(timespec="seconds"), tracker.id)
        return Outcome("succeeded", tracker.id, old, new, serving=snap.serving or new, duration=took)
    if snap.state == WAITING_APPROVAL:
        return Outcome("waiting_approval", tracker.id, old, new, duration=took,
                       hint="test it on the test listener, then `ecsship promote` (shift production traffic) or `ecsship rollback`")
    status = {ROLLED_BACK: "rolled_back", FAILED: "failed", STOPPED: "stopped"}.get(snap.state, "failed")
    return Outcome(status, tracker.id, old, new, serving=snap.serving, reason=snap.reason, duration=took,
                   failed_task=failing_task(aws, settings, tracker.new_td))


def _watch_stability(aws, settings, tracker, view, clock):
    window = settings.stability_window
    view.note(f"stability window {format_duration(window)}: watching {revision_name(tracker.new_td)} for crashes")
    watch = StabilityWatch(aws.client("ecs"), settings.cluster, settings.service, tracker.new_td, clock)
    crash = watch.run(window)
    if crash is None:
        view.note(f"{revision_name(tracker.new_td)} stable for {format_duration(window)}")
    return crash


def _roll_back_crash(aws, settings, tracker, view, clock, crash, started, limit) -> Outcome:
    """A crash-looping revision: deploy the revision it replaced again (the last one that served)."""
    old, new = revision_name(tracker.old_td), revision_name(tracker.new_td)
    reason = f"{new} crashed after ECS completed the deployment: {crash.describe()}"
    view.note(reason, "error")
    if not tracker.old_td or tracker.old_td == tracker.new_td:
        return Outcome("failed", tracker.id, old, new, reason=reason + "; nothing to roll back to",
                       duration=clock.now() - started, failed_task=failing_task(aws, settings, tracker.new_td))
    view.note(f"rolling back to {old}", "error")
    back = strategy_for(aws, settings, clock).start(tracker.old_td)
    after = follow(aws, settings, back, view, clock, timeout=limit, rollback_on_timeout=False, mark=False, stability=False)
    serving = after.serving or old
    if after.status == "succeeded":
        return Outcome("rolled_back", tracker.id, old, new, serving=serving, reason=reason,
                       duration=clock.now() - started, failed_task=failing_task(aws, settings, tracker.new_td))
    return Outcome("failed", tracker.id, old, new, serving=after.serving,
                   reason=f"{reason}; the rollback to {old} ended {after.status.replace('_', ' ')}",
                   duration=clock.now() - started, failed_task=failing_task(aws, settings, tracker.new_td))


def wait_for_current(aws, settings: DeploySettings, view, *, clock: Clock | None = None, timeout: int | None = None) -> Outcome:
    """`ecsship wait`: follow whatever deployment is in flight to its end, without acting on it
    (no rollback on timeout: this command only watches). Outcome("unchanged") when none is."""
    return watch_current(aws, settings, view, clock=clock, timeout=timeout, rollback_on_timeout=False, stability=False)


def watch_current(aws, settings: DeploySettings, view, *, clock: Clock | None = None, timeout: int | None = None,
                  rollback_on_timeout: bool = True, stability: bool = True) -> Outcome:
    """Follow the deployment in progress now (the one `apply` just started by creating or updating
    the service) to its end, with the same watch, outcome and last-good record as `roll_out`.
    Returns Outcome("unchanged") when nothing is in progress."""
    clock = clock or clocks.clock_for(aws)
    strategy = strategy_for(aws, settings, clock)
    tracker = strategy.attach()
    if tracker is None:
        service = strategy.describe_service()
        current = revision_name(strategy.current_task_definition_of(service))
        return Outcome("unchanged", serving=current, new_revision=current)
    return follow(aws, settings, tracker, view, clock, timeout=timeout, rollback_on_timeout=rollback_on_timeout,
                  stability=stability)
