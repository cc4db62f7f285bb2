"""`ecsship apply`: plan (or load a saved plan), show, confirm, apply under the service lock, then
watch the rollout the changes started (app/follow_rollout.py)."""
from __future__ import annotations

from ecsship.app.changes import apply_changes
from ecsship.app.follow_rollout import follow_apply
from ecsship.app.planned import confirm, load_and_plan, load_saved_plan, recheck_plan, show
from ecsship.deploy.image_record import record_apply
from ecsship.errors import UsageError
from ecsship.plan.model import CREATE, NOOP


def apply(app, planfile: str | None, file: str, env, var, *, yes: bool, allow_replace: bool, adopt: bool, wait: bool,
          show_plan: bool = True, image_tag: str | None = None, image: str | None = None) -> int:
    """The exit code: 0, or the watched rollout's. `show_plan=False`: a run over many services showed it."""
    if planfile and (image_tag or image):
        raise UsageError("a saved plan already says which image it applies: --image-tag/--image go with `plan --out`")
    run = load_saved_plan(app, planfile) if planfile else load_and_plan(app, file, env, var, adopt=adopt, image_tag=image_tag, image=image)
    out = app.out()
    if not out.json_mode and show_plan:
        show(out, run)
    if not run.plan.has_changes:
        _record_image(app, run)
        if out.json_mode:
            out.emit_json({"ok": True, "applied": [], "summary": run.plan.to_dict()["summary"]})
        return 0
    confirm(app, yes, "apply")
    with app.lock(run.aws, run.desired.cluster, run.desired.service, "apply") as lock:
        if lock.waited:  # another run held the lock: the plan shown may no longer be true
            recheck_plan(run)
        apply_changes(app, run, allow_replace=allow_replace)
        _record_image(app, run)
    outcome = follow_apply(app, run, wait=wait)
    return outcome.exit_code if outcome is not None else 0


def _record_image(app, run) -> None:
    """What the next plan compares with (deploy/image_record.py): the manifest's image this apply saw,
    and with --image-tag/--image the image it shipped. Not a plan change: bookkeeping on the service."""
    changes = {c.kind: c for c in run.plan.changes}
    service, td = changes.get("service"), changes.get("task_definition")
    arn = ((run.outputs or {}).get("service") or {}).get("arn") or (service.outputs.get("arn") if service else None)
    if not arn or td is None or (service is not None and service.action == CREATE):
        return  # a new service got the record with its tags
    shipped = run.image_override if td.action != NOOP else None
    record_apply(run.aws, arn, run.manifest_data["image"], td.outputs.get("manifest_image_record"), shipped,
                 app.clock().wall().isoformat(timespec="seconds"))
