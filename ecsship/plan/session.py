"""What `plan`, `apply` and `destroy` share: load, plan, save, show, confirm, apply with progress."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass

from ecsship.errors import EcsshipError, UsageError


@dataclass
class Session:
    aws: object
    desired: object
    plan: object
    manifest_data: dict
    environment: str | None
    file: str
    verb: str = "plan"  # or "destroy"
    outputs: dict | None = None  # every resource's outputs once applied (resolve the desired specs with them)


class StalePlan(EcsshipError):
    pass


def load_and_plan(options, file: str, env, var, adopt: bool = False) -> Session:
    from ecsship.desired import build
    from ecsship.manifest.document import load_manifest, parse_vars
    from ecsship.plan.engine import PlanError, make_plan

    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    options.out().problems(manifest.warnings)
    desired = build(manifest)
    aws = options.aws(manifest.data.get("region"))
    try:
        plan = make_plan(aws, desired, adopt=adopt)
    except PlanError as exc:
        raise located(exc, manifest) from None
    return Session(aws, desired, plan, manifest.data, env, file)


# The manifest field each desired resource comes from (by resource key, or its part before a dot):
# a plan-time problem says `file:line:` like validate's do.
SOURCES = {
    "network": ("network", "vpc"), "alb_network": ("load_balancer", "create", "subnets"), "image": ("image",),
    "secrets": ("secrets",), "rollback_alarms": ("deploy", "rollback_alarms"), "alb": ("load_balancer", "alb"),
    "listener_rule": ("load_balancer", "priority"), "target_group": ("load_balancer",), "load_balancer": ("load_balancer",),
    "cluster": ("cluster",), "service": ("service",), "task_definition": ("image",), "vpc_endpoints": ("network", "endpoints"),
    "security_group": ("network",), "role": ("permissions",), "autoscaling": ("scaling",), "alarm": ("observability", "alarms"),
    "codedeploy_app": ("deploy",), "codedeploy_group": ("deploy",), "codedeploy_config": ("deploy",),
    "discovery_service": ("service_discovery",), "namespace": ("service_discovery",), "log_group": ("logs",),
}


def located(error, manifest):
    """The PlanError with each problem prefixed by the manifest's file:line of the field behind it."""
    from ecsship.plan.engine import PlanError
    from ecsship.reconcilers.base import PlanProblem

    problems = []
    for problem in error.problems:
        key = getattr(problem, "resource_key", None) or ""
        path = SOURCES.get(key) or SOURCES.get(key.split(".", 1)[0])
        where = manifest.locate(*path) if path else ""
        message = problem.message if not where or problem.message.startswith(where) else f"{where}: {problem.message}"
        problems.append(PlanProblem(message, problem.hint))
    return PlanError(problems)


# Everything `plan --out` writes; a plan file with anything else (a `destroy` verb, destroy options)
# was not made by it and is refused.
SAVED_PLAN_KEYS = frozenset({"format", "service", "cluster", "has_changes", "summary", "changes", "warnings",
                             "fingerprint", "manifest", "file", "environment", "verb", "adopt"})


def plan_digest(text: str | bytes) -> str:
    """What `plan --out` prints and `apply PLANFILE` prints again: a reviewer compares the two."""
    import hashlib

    return "sha256:" + hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def save_plan(session: Session, path: str, force: bool = False) -> str:
    """Write the plan file (0600, never through a symlink, never over a file without force);
    returns its digest."""
    from pathlib import Path

    from ecsship.files import write_new_file
    from ecsship.redact import sensitive

    if sensitive():
        raise UsageError("a secret-looking --var was interpolated: a plan file would hold its value, so none is saved",
                         "reference the secret under `secrets:` instead, or apply without a plan file")
    payload = session.plan.to_dict(manifest=session.manifest_data)
    payload.update(file=session.file, environment=session.environment, verb=session.verb,
                   adopt=any(c.adopt for c in session.plan.changes))
    text = json.dumps(payload, indent=2, default=str) + "\n"
    write_new_file(Path(path), text, force=force, what="plan")
    return plan_digest(text)


def load_saved_plan(options, path: str) -> Session:
    """Re-plan from the manifest saved in the plan file; refuse if live state moved since."""
    from ecsship.desired.builder import Builder
    from ecsship.manifest.document import validate_saved
    from ecsship.plan.engine import make_plan
    from ecsship.plan.model import PLAN_FORMAT

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        saved = json.loads(raw)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such plan file", "make one with `ecsship plan --out FILE`") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: not a plan saved by `ecsship plan --out`: {exc}") from None
    if not isinstance(saved, dict) or "manifest" not in saved or "fingerprint" not in saved:
        raise UsageError(f"{path}: not a plan saved by `ecsship plan --out`")
    unknown = sorted(set(saved) - SAVED_PLAN_KEYS)
    if unknown or saved.get("verb", "plan") != "plan" or saved.get("format") != PLAN_FORMAT:
        what = f"fields {', '.join(unknown)}" if unknown else f"verb {saved.get('verb')!r} / format {saved.get('format')!r}"
        raise UsageError(f"{path}: {what} - `plan --out` never writes that; the plan file was not made by it",
                         "make the plan again with `ecsship plan --out FILE`; `destroy` is never applied from a file")
    options.out().info(f"plan digest {plan_digest(raw)} ({path})")
    # Exactly what `validate` checks: the file may have been edited since `plan --out` wrote it.
    options.out().problems(validate_saved(saved["manifest"], f"{path} (saved manifest)"))
    desired = Builder(saved["manifest"]).desired()
    aws = options.aws(saved["manifest"].get("region"))
    plan = make_plan(aws, desired, adopt=bool(saved.get("adopt")))
    same_changes = [c.to_dict() for c in plan.changes] == saved.get("changes")
    if plan.fingerprint != saved["fingerprint"] or not same_changes:
        raise StalePlan(f"{path}: live AWS has changed since this plan was made; it was not applied",
                        "run `ecsship plan --out FILE` again, review it, and apply the new file")
    return Session(aws, desired, plan, saved["manifest"], saved.get("environment"), saved.get("file", path), saved.get("verb", "plan"))


def recheck_plan(session: Session) -> None:
    """Refuse to apply a plan that live AWS no longer matches (another run changed it meanwhile)."""
    from ecsship.plan.engine import make_plan

    now = make_plan(session.aws, session.desired, adopt=any(c.adopt for c in session.plan.changes))
    if now.fingerprint != session.plan.fingerprint or [c.to_dict() for c in now.changes] != [c.to_dict() for c in session.plan.changes]:
        raise StalePlan("live AWS changed while this run waited for the service lock (another run held it); nothing was applied",
                        "run the command again: it plans from what is there now")


def show(out, session: Session) -> None:
    if out.json_mode:
        payload = session.plan.to_dict()
        out.emit_json(payload)
        return
    from ecsship.ui.plan_view import show_plan

    d = session.desired
    env = f" --env {session.environment}" if session.environment else ""
    show_plan(out, session.plan, f"ecsship {session.verb}: {d.cluster}/{d.service}{env} ({session.aws.region})")


def confirm(options, session: Session, yes: bool, verb: str, typed: str | None = None) -> None:
    """Ask on a terminal; refuse without one (a CI job must say --yes)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(f"refusing to {verb} without confirmation: stdin is not a terminal", f"review the plan and pass --yes to {verb}")
    import typer

    if typed is not None:
        answer = typer.prompt(f"Type the service name ({typed}) to {verb}")
        ok = answer.strip() == typed
    else:
        ok = typer.confirm(f"{verb.capitalize()} these changes?", default=False)
    if not ok:
        options.out().print("Nothing changed.")
        raise typer.Exit(1)


def apply_session(options, session: Session, allow_replace: bool = False) -> dict:
    from ecsship.plan.engine import apply_plan
    from ecsship.ui.plan_view import progress_line

    out = options.out()
    started: dict = {}
    done: list = []
    stop = _StopSignals(out)

    def progress(change, event):
        if event == "start":
            if stop.requested:
                raise KeyboardInterrupt  # stopping between two changes: nothing is half made
            started[change.key] = time.monotonic()
            return
        seconds = time.monotonic() - started.get(change.key, time.monotonic())
        if event == "done":
            done.append(change)
        if not out.json_mode:
            progress_line(out, change, event, seconds)

    if not out.json_mode:
        out.print("")
    from ecsship.reconcilers.base import PROGRESS

    def waiting(text: str) -> None:
        if out.json_mode:
            out.emit_json_line({"event": "progress", "message": text})
        else:
            out.err.print(f"  {text}", markup=False)

    PROGRESS.append(waiting)
    try:
        with stop:
            outputs = apply_plan(session.aws, session.desired, session.plan, allow_replace=allow_replace, progress=progress)
    except EcsshipError as exc:
        left = len(session.plan.pending()) - len(done)
        exc.hint = (exc.hint + "; " if exc.hint else "") + f"{len(done)} change(s) were made, {left} not; run the command again to continue"
        raise
    except KeyboardInterrupt:
        raise _interrupted(out, session, done, started) from None
    finally:
        PROGRESS.remove(waiting)
    if stop.requested:  # asked to stop during the last change: all made, but do not go on to watch
        raise _interrupted(out, session, done, started)
    session.outputs = outputs
    counts = session.plan.counts()
    if out.json_mode:
        out.emit_json({"ok": True, "applied": [c.to_dict() for c in done], "summary": session.plan.to_dict()["summary"]})
    else:
        word = "Destroy" if session.verb == "destroy" else "Apply"
        out.success(f"{word} complete: {counts['create']} created, {counts['update']} updated, "
                    f"{counts['replace']} replaced, {counts['delete']} deleted.")
    return outputs


class _StopSignals:
    """While changes are applied, Ctrl-C (SIGINT) or SIGTERM asks to stop after the change in
    progress; a second one abandons that change at once. Either way `apply_session` then says what
    was done and what was not, and the command exits 130."""

    def __init__(self, out):
        self.out = out
        self.requested = False
        self._previous: dict = {}

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.out.err.print("\nstopping after the change in progress (press Ctrl-C again to abandon it)", markup=False)

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        import signal

        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        return False


def _interrupted(out, session: Session, done: list, started: dict) -> EcsshipError:
    from ecsship.errors import Interrupted

    done_keys = {c.key for c in done}
    pending = [c for c in session.plan.pending() if c.key not in done_keys]
    current = next((c for c in pending if c.key in started), None)
    lines = [f"interrupted: {len(done)} change(s) made, {len(pending)} not"]
    lines += [f"  done:     {c.label}" for c in done]
    if current is not None:
        lines.append(f"  stopped:  {current.label} (abandoned while in progress; may be partly made)")
    lines += [f"  not done: {c.label}" for c in pending if c is not current]
    for line in lines[1:]:  # stderr in every output mode; the error line and hint follow
        out.err.print(line, markup=False)
    return Interrupted(lines[0], "run the same command again to finish: it continues from what is there")
