"""`ecsship status` and `ecsship history`: what runs now, and what was deployed before."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import EnvOpt, FileOpt, VarOpt


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Ship")
    @guarded
    def status(
        ctx: typer.Context,
        file: FileOpt = "ecsship.yaml",
        env: EnvOpt = None,
        var: VarOpt = None,
        watch: Annotated[bool, typer.Option("--watch", "-w", help="Refresh until Ctrl-C.")] = False,
        events: Annotated[int, typer.Option("--events", help="How many recent service events to show.")] = 10,
    ) -> None:
        """The service now: deployments, tasks per revision, target health, scaling, alarms, recent events."""
        from ecsship.app.status import show_status

        show_status(ctx.obj, file, env, var, watch=watch, events=events)

    @app.command(rich_help_panel="Ship")
    @guarded
    def history(
        ctx: typer.Context,
        file: FileOpt = "ecsship.yaml",
        env: EnvOpt = None,
        var: VarOpt = None,
        limit: Annotated[int, typer.Option("--limit", "-n", help="How many deployments to list.")] = 10,
    ) -> None:
        """Recent deployments: revision, image, start, duration, outcome."""
        from ecsship.app.history import show_history

        show_history(ctx.obj, file, env, var, limit=limit)
