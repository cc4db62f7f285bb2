"""`ecsship plan`: show what `apply` would change (the flow: ecsship/app/plan.py)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt, FilesOpt, ImageOpt, ImageTagOpt, OnlyOpt, ParallelOpt, VarOpt, one_file
from ecsship.errors import EXIT_FAILED

PlanOut = Annotated[Optional[str], typer.Option("--out", help="Save the plan (with a fingerprint of live state) for `apply PLANFILE`.")]
Detailed = Annotated[bool, typer.Option("--detailed-exitcode", help="Exit 0 when nothing would change, 2 when something would, 1 on error.")]
Force = Annotated[bool, typer.Option("--force", help="Overwrite an existing --out file (never through a symlink).")]
Adopt = Annotated[bool, typer.Option("--adopt", help="Take over resources that exist under ecsship's names but lack its tags.")]


class ChangesReported(SystemExit):
    """`plan --detailed-exitcode` found changes: exit 2. main() turns every other exit 2 of such a run
    (a usage error caught by the option parser before the command runs) into 1. An exception, not a
    module flag, so one plan's answer never leaks into the next run in the same process."""

    def __init__(self) -> None:
        super().__init__(2)


@guarded
def _plan(ctx: typer.Context, file, env, var, out, adopt, force: bool = False, only=None, parallel: int = 4,
          image_tag=None, image=None) -> bool:
    from ecsship.fleet.files import is_fleet

    if is_fleet(file, only):
        from ecsship.app import fleet
        from ecsship.errors import UsageError

        if out or image_tag or image:
            raise UsageError("--out, --image-tag and --image go with the plan of one manifest", "plan each service with its own -f")
        code, changes = fleet.plan(ctx.obj, file, env, var, only=only, parallel=parallel, adopt=adopt)
        if code:
            raise typer.Exit(code)
        return changes
    from ecsship.app.plan import plan

    return plan(ctx.obj, one_file(file), env, var, out_file=out, adopt=adopt, force=force, image_tag=image_tag, image=image)


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Infrastructure")
    def plan(ctx: typer.Context, file: FilesOpt = None, env: EnvOpt = None, var: VarOpt = None,
             out: PlanOut = None, detailed_exitcode: Detailed = False, adopt: Adopt = False,
             force: Force = False, only: OnlyOpt = None, parallel: ParallelOpt = 4,
             image_tag: ImageTagOpt = None, image: ImageOpt = None) -> None:
        """Show what `apply` would change, field by field. Makes only read calls.

        Exit 0, 1 on error, 2 on an invalid manifest or usage. With --detailed-exitcode (as Terraform's):
        0 no changes, 2 changes, 1 on any error (an invalid manifest too), so 2 means only "changes".
        Many manifests: planned in parallel, shown one section each (shared resources once), then a summary;
        2 when any service has changes. While the manifest's image is unchanged since the last apply,
        the image `deploy` shipped is kept (the plan says so); --image-tag/--image set it explicitly.
        """
        try:
            changes = _plan(ctx, file, env, var, out, adopt, force, only, parallel, image_tag, image)
        except typer.Exit as exc:
            if detailed_exitcode and exc.exit_code not in (0, None):
                raise typer.Exit(EXIT_FAILED) from None
            raise
        if detailed_exitcode and changes:
            raise ChangesReported()
