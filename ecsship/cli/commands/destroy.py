"""`ecsship destroy`: delete what the manifest's service owns, and nothing else (the flow: ecsship/app/destroy.py)."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt, FilesOpt, OnlyOpt, VarOpt, one_file


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Infrastructure")
    @guarded
    def destroy(ctx: typer.Context, file: FilesOpt = None, env: EnvOpt = None, var: VarOpt = None, only: OnlyOpt = None,
                yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for the service name.")] = False,
                delete_logs: Annotated[bool, typer.Option("--delete-logs", help="Also delete the log group (kept by default).")] = False,
                deregister: Annotated[bool, typer.Option("--deregister", help="Also deregister the task definition revisions.")] = False) -> None:
        """Scale the service to 0 and delete it and everything ecsship made for it.

        Only resources carrying ecsship's ownership tags for this service are deleted. The cluster is kept;
        the log group only goes with --delete-logs, task definitions only with --deregister.
        """
        from ecsship.app.destroy import destroy as destroy_flow
        from ecsship.app.fleet import each
        from ecsship.fleet.files import is_fleet

        if is_fleet(file, only):  # dependants first: the reverse of `after:` order
            code = each(ctx.obj, "destroy", file, env, var, only=only, reverse=True, fn=lambda sub, m: destroy_flow(
                sub, m.file, env, var, yes=yes, delete_logs=delete_logs, deregister=deregister))
            if code:
                raise typer.Exit(code)
            return
        destroy_flow(ctx.obj, one_file(file), env, var, yes=yes, delete_logs=delete_logs, deregister=deregister)
