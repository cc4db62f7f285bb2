"""`ecsship apply`: plan (or load a saved plan), show, confirm, apply under the service lock, then
watch the rollout the changes started (app/follow_rollout.py)."""
from __future__ import annotations

from ecsship.app.changes import apply_changes
from ecsship.app.follow_rollout import follow_apply
from ecsship.app.planned import confirm, load_and_plan, load_saved_plan, recheck_plan, show


def apply(app, planfile: str | None, file: str, env, var, *, yes: bool, allow_replace: bool, adopt: bool, wait: bool,
          show_plan: bool = True) -> int:
    """The exit code: 0, or the watched rollout's. `show_plan=False`: a run over many services showed it."""
    run = load_saved_plan(app, planfile) if planfile else load_and_plan(app, file, env, var, adopt=adopt)
    out = app.out()
    if not out.json_mode and show_plan:
        show(out, run)
    if not run.plan.has_changes:
        if out.json_mode:
            out.emit_json({"ok": True, "applied": [], "summary": run.plan.to_dict()["summary"]})
        return 0
    confirm(app, yes, "apply")
    with app.lock(run.aws, run.desired.cluster, run.desired.service, "apply") as lock:
        if lock.waited:  # another run held the lock: the plan shown may no longer be true
            recheck_plan(run)
        apply_changes(app, run, allow_replace=allow_replace)
    outcome = follow_apply(app, run, wait=wait)
    return outcome.exit_code if outcome is not None else 0
