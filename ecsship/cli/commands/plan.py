"""`ecsship plan` and `ecsship apply`: show what would change; make live AWS match the manifest."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ecsship.cli.guard import guarded
from ecsship.cli.options import EnvOpt, FileOpt, VarOpt
from ecsship.errors import EXIT_FAILED

PlanOut = Annotated[Optional[str], typer.Option("--out", help="Save the plan (with a fingerprint of live state) for `apply PLANFILE`.")]
Detailed = Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 0 when nothing would change, 2 when something would, 1 on error.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")]
AllowReplace = Annotated[bool, typer.Option("--allow-replace", help="Allow changes that delete and recreate a resource.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file (never through a symlink).")]
Adopt = Annotated[bool, typer.Option("--adopt", help="Take over resources that exist under ecsship's names but lack its tags.")]


# Set when `plan --detailed-exitcode` exits 2 for changes: main() turns every other exit 2 of such a
# run (a usage error caught by the option parser before the command runs) into 1.
CHANGES_REPORTED: list = []


@guarded
def _plan(ctx: typer.Context, file, env, var, out, adopt, force: bool = False) -> bool:
    from ecsship.plan.session import load_and_plan, save_plan, show

    session = load_and_plan(ctx.obj, file, env, var, adopt=adopt)
    digest = save_plan(session, out, force=force) if out else None
    show(ctx.obj.out(), session)
    if out:
        ctx.obj.out().info(f"saved the plan to {out}; apply exactly it with `ecsship apply {out}`")
        ctx.obj.out().info(f"plan digest {digest} (`apply` prints it again: compare)")
    return session.plan.has_changes


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Infrastructure")
    def plan(ctx: typer.Context, file: FileOpt = "ecsship.yaml", env: EnvOpt = None, var: VarOpt = None,
             out: PlanOut = None, detailed_exitcode: Detailed = False, adopt: Adopt = False,
             force: Force = False) -> None:
        """Show what `apply` would change, field by field. Makes only read calls.

        Exit 0, 1 on error, 2 on an invalid manifest or usage. With --detailed-exitcode (as Terraform's):
        0 no changes, 2 changes, 1 on any error (an invalid manifest too), so 2 means only "changes".
        """
        try:
            changes = _plan(ctx, file, env, var, out, adopt, force)
        except typer.Exit as exc:
            if detailed_exitcode and exc.exit_code not in (0, None):
                raise typer.Exit(EXIT_FAILED) from None
            raise
        if detailed_exitcode and changes:
            CHANGES_REPORTED.append(True)
            raise typer.Exit(2)

    @app.command(rich_help_panel="Infrastructure")
    @guarded
    def apply(ctx: typer.Context,
              planfile: Annotated[Optional[str], typer.Argument(help="A plan saved by `plan --out`; applied only if live state has not changed since.")] = None,
              file: FileOpt = "ecsship.yaml", env: EnvOpt = None, var: VarOpt = None,
              yes: Yes = False, allow_replace: AllowReplace = False, adopt: Adopt = False,
              wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Watch the rollout a new service or task definition starts (default), or return once applied.")] = True) -> None:
        """Make live AWS match the manifest: print the plan, confirm, apply in order.

        Idempotent: a second apply makes no changes. On an AWS error it stops and says which resource,
        which call, and what to do; running it again continues from there.
        """
        from ecsship.plan.session import apply_session, confirm, load_and_plan, load_saved_plan, show

        options = ctx.obj
        session = load_saved_plan(options, planfile) if planfile else load_and_plan(options, file, env, var, adopt=adopt)
        out = options.out()
        if not out.json_mode:
            show(out, session)
        if not session.plan.has_changes:
            if out.json_mode:
                out.emit_json({"ok": True, "applied": [], "summary": session.plan.to_dict()["summary"]})
            return
        confirm(options, session, yes, "apply")
        from ecsship.deploy.after_apply import follow_apply
        from ecsship.lock import service_lock

        with service_lock(session.aws, session.desired.cluster, session.desired.service, "apply") as lock:
            if lock.waited:  # another run held the lock: the plan shown may no longer be true
                from ecsship.plan.session import recheck_plan

                recheck_plan(session)
            apply_session(options, session, allow_replace=allow_replace)
        outcome = follow_apply(options, session, wait=wait)
        if outcome is not None and outcome.exit_code:
            raise typer.Exit(outcome.exit_code)
