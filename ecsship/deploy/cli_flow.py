"""The deploy, rollback and promote commands' flows: manifest → AWS → engine → view → exit code.

Lives here rather than in the CLI module so the command file stays a thin, import-light shell.
"""
from __future__ import annotations

from contextlib import ExitStack, contextmanager

import typer

from ecsship.errors import EcsshipError, UsageError


class _Context:
    """What every flow needs, built once: manifest, settings, AWS, view, clock."""

    def __init__(self, options, file, env, var):
        from ecsship.deploy.clock import make_clock
        from ecsship.deploy.settings import DeploySettings
        from ecsship.manifest.document import load_manifest, parse_vars
        from ecsship.ui.deploy_view import make_view

        self.options = options
        self.manifest = load_manifest(file, env=env, variables=parse_vars(var))
        self.settings = DeploySettings.from_manifest(self.manifest.data)
        self.out = options.out()
        self.aws = options.aws(self.manifest.data.get("region"))
        self.view = make_view(self.out)
        self.view.simulated = bool(getattr(self.aws, "local", False))  # durations say they are simulated
        self.clock = make_clock()

    def finish(self, outcome) -> None:
        self.view.outcome(outcome)
        raise typer.Exit(outcome.exit_code)


@contextmanager
def sigterm_as_interrupt():
    """A CI job being cancelled sends SIGTERM: treat it like Ctrl-C (stop watching, restore
    scale-in, say how to follow the rollout) instead of dying mid-sentence."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _timeout(value: str | None) -> int | None:
    if value is None:
        return None
    from ecsship.manifest.durations import parse_duration

    try:
        return parse_duration(value if not value.isdigit() else int(value))
    except ValueError as exc:
        raise UsageError(f"--timeout: {exc}") from None


def prepare_revision(ctx, uri: str, with_infra: bool) -> tuple[str, bool]:
    """The revision to roll out; a seam the fake-AWS tests replace (the plan engine needs a real backend)."""
    from ecsship.deploy.infra import prepare_revision as through_plan

    return through_plan(ctx, uri, with_infra)


def start_lock(ctx, command: str):
    """Held from before the in-progress check until the rollout has started (not while watching):
    two runs cannot interleave their starts, and a killed watch leaves no stale lock behind."""
    from ecsship.lock import service_lock

    return service_lock(ctx.aws, ctx.settings.cluster, ctx.settings.service, command)


def deploy(options, file, env, var, **kwargs) -> None:
    with sigterm_as_interrupt():
        _deploy(options, file, env, var, **kwargs)


def rollback(options, file, env, var, **kwargs) -> None:
    with sigterm_as_interrupt():
        _rollback(options, file, env, var, **kwargs)


def wait(options, file, env, var, timeout) -> None:
    """`ecsship wait`: follow the deployment in flight to its end; exit by its outcome."""
    from ecsship.deploy.rollout import wait_for_current

    with sigterm_as_interrupt():
        limit = _timeout(timeout)
        c = _Context(options, file, env, var)
        outcome = wait_for_current(c.aws, c.settings, c.view, clock=c.clock, timeout=limit)
        if outcome.status == "unchanged":
            outcome.reason = "no deployment in progress"
        c.finish(outcome)


def promote(options, file, env, var, timeout) -> None:
    with sigterm_as_interrupt():
        _promote(options, file, env, var, timeout)


def _deploy(options, file, env, var, *, image_tag, image, timeout, rollback, wait, force, with_infra) -> None:
    from ecsship.deploy.names import revision_name
    from ecsship.deploy.release import image_uri, verify_image
    from ecsship.deploy.rollout import roll_out

    limit = _timeout(timeout)
    c = _Context(options, file, env, var)
    uri = image_uri(c.manifest.data["image"], image_tag, image)
    verify_image(c.aws, uri)
    with ExitStack() as lock:
        lock.enter_context(start_lock(c, "deploy"))
        td, registered = prepare_revision(c, uri, with_infra)
        c.view.note(f"{'registered' if registered else 'using'} task definition {revision_name(td)} ({uri})")
        steps_ran = _before_steps(c, td, force)
        outcome = roll_out(c.aws, c.settings, td, c.view, clock=c.clock, wait=wait, force=force,
                           rollback_on_timeout=rollback, timeout=limit, redeploy=force, on_started=lock.close)
    if steps_ran and wait and outcome.status == "succeeded":
        c.view.outcome(outcome)  # the deploy's own result first; then the contract step(s)
        _after_steps(c, td)
        raise typer.Exit(outcome.exit_code)
    c.finish(outcome)


def _step_view(c):
    from ecsship.ui.ops_view import RunView

    return lambda name: RunView(c.out, step=name)


def _before_steps(c, td: str, force: bool) -> bool:
    """deploy.before, under the lock, with the new revision, before any traffic moves. Skipped when
    nothing will roll out (the revision already serves) or another rollout is in progress (roll_out
    then attaches to it or refuses): a migration runs only for a deploy that will happen. True when
    the deploy has steps and they ran (so `after` runs once it completed)."""
    from ecsship.deploy.names import revision_name
    from ecsship.deploy.strategies import strategy_for
    from ecsship.ops.steps import run_steps, steps_of

    before, after = steps_of(c.manifest.data, "before"), steps_of(c.manifest.data, "after")
    if not before and not after:
        return False
    strategy = strategy_for(c.aws, c.settings, c.clock)
    service = strategy.describe_service()
    if not force and (strategy.current_task_definition_of(service) == td or strategy.active_deployments(service)):
        return False
    if before:
        c.view.note(f"running {len(before)} deploy.before step{'s' if len(before) != 1 else ''} with {revision_name(td)}")
        run_steps(c.aws, c.settings, td, before, c.clock, _step_view(c), untouched=True)
    return True


def _after_steps(c, td: str) -> None:
    from ecsship.ops.steps import run_steps, steps_of

    after = steps_of(c.manifest.data, "after")
    if after:
        c.view.note(f"deployment completed: running {len(after)} deploy.after step{'s' if len(after) != 1 else ''}")
        run_steps(c.aws, c.settings, td, after, c.clock, _step_view(c), untouched=False)


def _rollback(options, file, env, var, *, to_revision, timeout, wait) -> None:
    from ecsship.deploy.lastgood import previous_good, resolve_revision
    from ecsship.deploy.model import Outcome
    from ecsship.deploy.names import revision_name
    from ecsship.deploy.rollout import follow, roll_out
    from ecsship.deploy.strategies import strategy_for

    if to_revision is not None and to_revision < 1:
        raise UsageError(f"--to-revision {to_revision}: revisions are numbered from 1")
    limit = _timeout(timeout)
    c = _Context(options, file, env, var)
    strategy = strategy_for(c.aws, c.settings, c.clock)
    tracker = strategy.attach()
    if tracker is not None:
        if to_revision is not None:
            raise UsageError("a deployment is in progress: `rollback` stops it and returns to the revision it replaced; --to-revision applies once it has ended")
        c.view.note(f"stopping deployment {tracker.id} and rolling back to {revision_name(tracker.old_td) or 'the previous revision'}", "warning")
        with start_lock(c, "rollback"):  # never interleaved with another run's start (issue #22)
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
        from ecsship.deploy.lastgood import failed_without_success
        from ecsship.deploy.names import family_of

        target = resolve_revision(c.aws, c.settings, family_of(current), to_revision)
        if failed_without_success(c.aws, c.settings, target):
            c.view.note(f"{revision_name(target)} never deployed successfully (its deployments failed); "
                        "rolling back to it because --to-revision asked for it", "warning")
    else:
        target = previous_good(c.aws, c.settings, current)
    c.view.note(f"rolling back from {revision_name(current)} to {revision_name(target)}")
    with ExitStack() as lock:
        lock.enter_context(start_lock(c, "rollback"))
        outcome = roll_out(c.aws, c.settings, target, c.view, clock=c.clock, wait=wait, timeout=limit,
                           rollback_on_timeout=True, on_started=lock.close)
    c.finish(outcome)


class _AskedRollback:
    """The view while `rollback` unwinds a rollout it stopped: its rolling back and rolled back are
    what was asked for, not failures (no "✖ rolled back" before "✔ rolled back")."""

    def __init__(self, view):
        self._view = view

    def __getattr__(self, name):
        return getattr(self._view, name)

    def event(self, event) -> None:
        from dataclasses import replace

        asked = (event.kind == "state" and event.data.get("state") in ("rolling_back", "rolled_back", "stopped")) or (
            event.kind == "service_event" and ("rolling back" in event.message or "rolled back" in event.message))
        if asked:
            event = replace(event, severity="info")
        self._view.event(event)


def _promote(options, file, env, var, timeout) -> None:
    from ecsship.deploy.model import WAITING_APPROVAL
    from ecsship.deploy.rollout import follow

    limit = _timeout(timeout)
    c = _Context(options, file, env, var)
    from ecsship.deploy.strategies import strategy_for

    strategy = strategy_for(c.aws, c.settings, c.clock)
    with start_lock(c, "promote"):  # the check and the approval: no other run starts in between (issue #22)
        tracker = strategy.attach()
        snap = tracker.poll() if tracker is not None else None
        if snap is None or snap.state != WAITING_APPROVAL:
            raise EcsshipError(f"no deployment of service {c.settings.service} is waiting for approval",
                               "`ecsship status` shows what is in progress")
        c.view.note(f"approved: deployment {tracker.id} shifts production traffic now")
        tracker.continue_(snap.hook_id)
    outcome = follow(c.aws, c.settings, tracker, c.view, c.clock, timeout=limit, stop_when_waiting=False, approved=snap.hook_id)
    c.finish(outcome)
