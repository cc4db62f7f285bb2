"""`ecsship destroy`: delete what the manifest's service owns (plan/destroy.py decides what and in
which order), after the service name is typed or --yes."""
from __future__ import annotations

from ecsship.app.changes import apply_changes
from ecsship.app.planned import PlannedRun, StalePlan, confirm, show
from ecsship.desired import build
from ecsship.manifest.document import load_manifest, parse_vars
from ecsship.plan.destroy import make_destroy_plan


def destroy(app, file: str, env, var, *, yes: bool, delete_logs: bool, deregister: bool) -> None:
    manifest = load_manifest(file, env=env, variables=parse_vars(var))
    desired = build(manifest)
    aws = app.aws_for(manifest.data)
    plan = make_destroy_plan(aws, desired, delete_logs=delete_logs, deregister=deregister)
    run = PlannedRun(aws, desired, plan, manifest.data, env, file, verb="destroy")
    out = app.out()
    if not out.json_mode:
        show(out, run)
    if not plan.has_changes:
        if out.json_mode:
            out.emit_json({"ok": True, "applied": [], "summary": plan.to_dict()["summary"]})
        return
    confirm(app, yes, "destroy", typed=desired.service)
    with app.lock(aws, desired.cluster, desired.service, "destroy") as lock:
        if lock.waited:  # another run held the lock: what was shown may no longer be what is there
            now = make_destroy_plan(aws, desired, delete_logs=delete_logs, deregister=deregister)
            if [c.to_dict() for c in now.changes] != [c.to_dict() for c in plan.changes]:
                raise StalePlan("live AWS changed while destroy waited for the service lock; nothing was deleted",
                                "run `ecsship destroy` again: it plans from what is there now")
        apply_changes(app, run)
