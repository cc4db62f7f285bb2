"""`ecsship unlock`: remove a stale lock left by a crashed apply or deploy (the flow: ecsship/app/unlock.py)."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import manifest_options


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Operations")
    @guarded
    @manifest_options
    def unlock(
        ctx: typer.Context,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
        force: Annotated[bool, typer.Option("--force", help="Remove a lock whose holder may still be running (not expired).")] = False,
        *, file, env, var,
    ) -> None:
        """Remove the service's apply/deploy lock (only when the run that held it is gone)."""
        from ecsship.app.unlock import unlock as unlock_flow

        unlock_flow(ctx.obj, file, env, var, yes=yes, force=force)
