"""`ecsship apply`: make live AWS match the manifest (the flow: ecsship/app/apply.py)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ecsship.cli.commands.plan import Adopt
from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt, FilesOpt, ImageOpt, ImageTagOpt, KeepGoingOpt, OnlyOpt, ParallelOpt, VarOpt, one_file

Yes = Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")]
AllowReplace = Annotated[bool, typer.Option("--allow-replace", help="Allow changes that delete and recreate a resource.")]
PlanFile = Annotated[Optional[str], typer.Argument(help="A plan saved by `plan --out`; applied only if live state has not changed since.")]
Wait = Annotated[bool, typer.Option("--wait/--no-wait", help="Watch the rollout a new service or task definition starts (default), or return once applied.")]


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Infrastructure")
    @guarded
    def apply(ctx: typer.Context, planfile: PlanFile = None, file: FilesOpt = None, env: EnvOpt = None, var: VarOpt = None,
              yes: Yes = False, allow_replace: AllowReplace = False, adopt: Adopt = False, wait: Wait = True,
              only: OnlyOpt = None, parallel: ParallelOpt = 4, keep_going: KeepGoingOpt = False,
              image_tag: ImageTagOpt = None, image: ImageOpt = None) -> None:
        """Make live AWS match the manifest: print the plan, confirm, apply in order.

        Idempotent: a second apply makes no changes. On an AWS error it stops and says which resource,
        which call, and what to do; running it again continues from there. Many manifests: every plan is
        shown, one confirmation, then services apply in `after:` order, independent ones in parallel.
        While the manifest's image is unchanged since the last apply, the image `deploy` shipped is
        kept; --image-tag/--image win.
        """
        from ecsship.fleet.files import is_fleet

        if not planfile and is_fleet(file, only):
            from ecsship.app import fleet

            if image_tag or image:
                from ecsship.errors import UsageError

                raise UsageError("--image-tag and --image go with one manifest", "apply that service with its own -f")
            code = fleet.apply(ctx.obj, file, env, var, only=only, parallel=parallel, keep_going=keep_going, yes=yes,
                               allow_replace=allow_replace, adopt=adopt, wait=wait)
            if code:
                raise typer.Exit(code)
            return
        from ecsship.app.apply import apply as apply_flow

        code = apply_flow(ctx.obj, planfile, one_file(file), env, var, yes=yes, allow_replace=allow_replace, adopt=adopt, wait=wait,
                          image_tag=image_tag, image=image)
        if code:
            raise typer.Exit(code)
