"""`ecsship status` and `ecsship history`: what runs now, and what was deployed before."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt, FilesOpt, OnlyOpt, VarOpt, one_file


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Ship")
    @guarded
    def status(
        ctx: typer.Context,
        file: FilesOpt = None,
        env: EnvOpt = None,
        var: VarOpt = None,
        only: OnlyOpt = None,
        watch: Annotated[bool, typer.Option("--watch", "-w", help="Refresh until Ctrl-C.")] = False,
        events: Annotated[int, typer.Option("--events", help="How many recent service events to show.")] = 10,
    ) -> None:
        """The service now: deployments, tasks per revision, target health, scaling, alarms, recent events."""
        from ecsship.app.fleet import each
        from ecsship.app.status import show_status
        from ecsship.fleet.files import is_fleet

        if is_fleet(file, only):
            code = each(ctx.obj, "status", file, env, var, only=only,
                        fn=lambda sub, m: show_status(sub, m.file, env, var, watch=False, events=events))
            if code:
                raise typer.Exit(code)
            return
        show_status(ctx.obj, one_file(file), env, var, watch=watch, events=events)

    @app.command(rich_help_panel="Ship")
    @guarded
    def history(
        ctx: typer.Context,
        file: FilesOpt = None,
        env: EnvOpt = None,
        var: VarOpt = None,
        only: OnlyOpt = None,
        limit: Annotated[int, typer.Option("--limit", "-n", help="How many deployments to list.")] = 10,
    ) -> None:
        """Recent deployments: revision, image, start, duration, outcome."""
        from ecsship.app.fleet import each
        from ecsship.app.history import show_history
        from ecsship.fleet.files import is_fleet

        if is_fleet(file, only):
            code = each(ctx.obj, "history", file, env, var, only=only, fn=lambda sub, m: show_history(sub, m.file, env, var, limit=limit))
            if code:
                raise typer.Exit(code)
            return
        show_history(ctx.obj, one_file(file), env, var, limit=limit)
