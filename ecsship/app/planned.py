"""What `plan`, `apply` and `destroy` share: a plan made from the manifest (or a saved plan file),
shown, saved, re-checked and confirmed. Applying it is app/changes.py."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ecsship.app.application import Quit
from ecsship.deploy.shipped_image import image_uri
from ecsship.desired import build
from ecsship.desired.builder import Builder
from ecsship.desired.resources import Desired
from ecsship.errors import EcsshipError, UsageError
from ecsship.files import write_new_file
from ecsship.manifest.document import load_manifest, parse_vars, validate_saved
from ecsship.plan.adoption import adoption_problems
from ecsship.plan.model import PLAN_FORMAT, Plan
from ecsship.plan.plan_and_apply import PlanError, make_plan
from ecsship.reconcilers.base import PlanProblem
from ecsship.redact import sensitive
from ecsship.ui.plan_view import show_plan

if TYPE_CHECKING:
    from ecsship.aws.session import Aws


@dataclass
class PlannedRun:
    """A plan and what it was made from: the AWS it read, the desired model, the manifest."""
    aws: "Aws"
    desired: Desired
    plan: Plan
    manifest_data: dict
    environment: str | None
    file: str
    verb: str = "plan"  # or "destroy"
    outputs: dict | None = None  # every resource's outputs once applied (resolve the desired specs with them)
    image_override: str | None = None  # --image-tag/--image: the image instead of the manifest's


class StalePlan(EcsshipError):
    pass


def load_and_plan(app, file: str, env, var, adopt: bool = False, image_tag: str | None = None,
                  image: str | None = None) -> PlannedRun:
    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    app.out().problems(manifest.warnings)
    override = image_uri(manifest.data["image"], image_tag, image) if (image_tag or image) else None
    desired = build(manifest, image_override=override)
    aws = app.aws_for(manifest.data)
    try:
        plan = make_plan(aws, desired, adopt=adopt)
        if adopt:
            refused = adoption_problems(plan)
            if refused:
                raise PlanError([_problem(key, message, hint) for key, message, hint in refused])
    except PlanError as exc:
        raise located(exc, manifest) from None
    return PlannedRun(aws, desired, plan, manifest.data, env, file, image_override=override)


# The manifest field each desired resource comes from (by resource key, or its part before a dot):
# a plan-time problem says `file:line:` like validate's do.
SOURCES = {
    "network": ("network", "vpc"), "alb_network": ("load_balancer", "create", "subnets"), "image": ("image",),
    "secrets": ("secrets",), "rollback_alarms": ("deploy", "rollback_alarms"), "alb": ("load_balancer", "alb"),
    "listener_rule": ("load_balancer", "priority"), "target_group": ("load_balancer", "target_group"), "load_balancer": ("load_balancer",),
    "cluster": ("cluster",), "service": ("service",), "task_definition": ("image",), "vpc_endpoints": ("network", "endpoints"),
    "security_group": ("network",), "role": ("permissions",), "autoscaling": ("scaling",), "alarm": ("observability", "alarms"),
    "codedeploy_app": ("deploy",), "codedeploy_group": ("deploy",), "codedeploy_config": ("deploy",),
    "discovery_service": ("service_discovery",), "namespace": ("service_discovery",), "log_group": ("logs",),
}


def located(error, manifest):
    """The PlanError with each problem prefixed by the manifest's file:line of the field behind it."""
    problems = []
    for problem in error.problems:
        key = getattr(problem, "resource_key", None) or ""
        path = SOURCES.get(key) or SOURCES.get(key.split(".", 1)[0])
        where = manifest.locate(*path) if path else ""
        message = problem.message if not where or problem.message.startswith(where) else f"{where}: {problem.message}"
        problems.append(PlanProblem(message, problem.hint))
    return PlanError(problems)


def _problem(key: str, message: str, hint: str) -> PlanProblem:
    problem = PlanProblem(message, hint)
    problem.resource_key = key  # type: ignore[attr-defined]  # located() prefixes the file:line
    return problem


# Everything `plan --out` writes; a plan file with anything else (a `destroy` verb, destroy options)
# was not made by it and is refused.
SAVED_PLAN_KEYS = frozenset({"format", "service", "cluster", "has_changes", "summary", "changes", "warnings",
                             "fingerprint", "manifest", "file", "environment", "verb", "adopt", "image_override"})


def plan_digest(text: str | bytes) -> str:
    """What `plan --out` prints and `apply PLANFILE` prints again: a reviewer compares the two."""
    return "sha256:" + hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def save_plan(run: PlannedRun, path: str, force: bool = False) -> str:
    """Write the plan file (0600, never through a symlink, never over a file without force);
    returns its digest."""
    if sensitive():
        raise UsageError("a secret-looking --var was interpolated: a plan file would hold its value, so none is saved",
                         "reference the secret under `secrets:` instead, or apply without a plan file")
    payload = run.plan.to_dict(manifest=run.manifest_data)
    payload.update(file=run.file, environment=run.environment, verb=run.verb,
                   adopt=any(c.adopt for c in run.plan.changes), image_override=run.image_override)
    text = json.dumps(payload, indent=2, default=str) + "\n"
    write_new_file(Path(path), text, force=force, what="plan")
    return plan_digest(text)


def load_saved_plan(app, path: str) -> PlannedRun:
    """Re-plan from the manifest saved in the plan file; refuse if live state moved since."""
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
    app.out().info(f"plan digest {plan_digest(raw)} ({path})")
    # Exactly what `validate` checks: the file may have been edited since `plan --out` wrote it.
    app.out().problems(validate_saved(saved["manifest"], f"{path} (saved manifest)"))
    override = saved.get("image_override")
    if override is not None and not isinstance(override, str):
        raise UsageError(f"{path}: image_override is not an image URI; the plan file was not made by `plan --out`")
    desired = Builder(saved["manifest"], override).desired()
    aws = app.aws_for(saved["manifest"])
    plan = make_plan(aws, desired, adopt=bool(saved.get("adopt")))
    same_changes = [c.to_dict() for c in plan.changes] == saved.get("changes")
    if plan.fingerprint != saved["fingerprint"] or not same_changes:
        raise StalePlan(f"{path}: live AWS has changed since this plan was made; it was not applied",
                        "run `ecsship plan --out FILE` again, review it, and apply the new file")
    return PlannedRun(aws, desired, plan, saved["manifest"], saved.get("environment"), saved.get("file", path), saved.get("verb", "plan"),
                      image_override=override)


def recheck_plan(run: PlannedRun) -> None:
    """Refuse to apply a plan that live AWS no longer matches (another run changed it meanwhile)."""
    now = make_plan(run.aws, run.desired, adopt=any(c.adopt for c in run.plan.changes))
    if now.fingerprint != run.plan.fingerprint or [c.to_dict() for c in now.changes] != [c.to_dict() for c in run.plan.changes]:
        raise StalePlan("live AWS changed while this run waited for the service lock (another run held it); nothing was applied",
                        "run the command again: it plans from what is there now")


def show(out, run: PlannedRun) -> None:
    if out.json_mode:
        payload = run.plan.to_dict()
        out.emit_json(payload)
        return
    d = run.desired
    env = f" --env {run.environment}" if run.environment else ""
    show_plan(out, run.plan, f"ecsship {run.verb}: {d.cluster}/{d.service}{env} ({run.aws.region})")


def confirm(app, yes: bool, verb: str, typed: str | None = None) -> None:
    """Ask on a terminal; refuse without one (a CI job must say --yes)."""
    if yes:
        return
    if not app.stdin_is_terminal():
        raise UsageError(f"refusing to {verb} without confirmation: stdin is not a terminal", f"review the plan and pass --yes to {verb}")
    if typed is not None:
        ok = app.prompt(f"Type the service name ({typed}) to {verb}").strip() == typed
    else:
        ok = app.confirm(f"{verb.capitalize()} these changes?")
    if not ok:
        app.out().print("Nothing changed.")
        raise Quit(1)
