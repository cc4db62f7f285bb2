"""`ecsship destroy`: delete what the manifest's service owns, and nothing else."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.guard import guarded
from ecsship.cli.options import EnvOpt, FileOpt, VarOpt


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Infrastructure")
    @guarded
    def destroy(ctx: typer.Context, file: FileOpt = "ecsship.yaml", env: EnvOpt = None, var: VarOpt = None,
                yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for the service name.")] = False,
                delete_logs: Annotated[bool, typer.Option("--delete-logs", help="Also delete the log group (kept by default).")] = False,
                deregister: Annotated[bool, typer.Option("--deregister", help="Also deregister the task definition revisions.")] = False) -> None:
        """Scale the service to 0 and delete it and everything ecsship made for it.

        Only resources carrying ecsship's ownership tags for this service are deleted. The cluster is kept;
        the log group only goes with --delete-logs, task definitions only with --deregister.
        """
        from ecsship.desired import build
        from ecsship.manifest.document import load_manifest, parse_vars
        from ecsship.plan.destroy import make_destroy_plan
        from ecsship.plan.session import Session, apply_session, confirm, show

        options = ctx.obj
        manifest = load_manifest(file, env=env, variables=parse_vars(var))
        desired = build(manifest)
        aws = options.aws(manifest.data.get("region"))
        plan = make_destroy_plan(aws, desired, delete_logs=delete_logs, deregister=deregister)
        session = Session(aws, desired, plan, manifest.data, env, file, verb="destroy")
        out = options.out()
        if not out.json_mode:
            show(out, session)
        if not plan.has_changes:
            if out.json_mode:
                out.emit_json({"ok": True, "applied": [], "summary": plan.to_dict()["summary"]})
            return
        confirm(options, session, yes, "destroy", typed=desired.service)
        from ecsship.lock import service_lock

        with service_lock(aws, desired.cluster, desired.service, "destroy") as lock:
            if lock.waited:  # another run held the lock: what was shown may no longer be what is there
                from ecsship.plan.session import StalePlan

                now = make_destroy_plan(aws, desired, delete_logs=delete_logs, deregister=deregister)
                if [c.to_dict() for c in now.changes] != [c.to_dict() for c in plan.changes]:
                    raise StalePlan("live AWS changed while destroy waited for the service lock; nothing was deleted",
                                    "run `ecsship destroy` again: it plans from what is there now")
            apply_session(options, session)
