"""`ecsship run`, `ecsship logs`, `ecsship exec`: day-2 operations on a deployed service (issue 15).

Argument parsing only: the flows are in ecsship/ops/ (no typer there); the views in ui/ops_view.py.
"""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from ecsship.cli.guard import guarded
from ecsship.cli.options import EnvOpt, FileOpt, VarOpt

ContainerOpt = Annotated[Optional[str], typer.Option("--container", help="Container to use (default: the service's main container).")]
CommandArg = Annotated[Optional[List[str]], typer.Argument(help="The command and its arguments, after `--`.", show_default=False)]


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Operations")
    @guarded
    def run(
        ctx: typer.Context,
        command: CommandArg = None,
        file: FileOpt = "ecsship.yaml",
        env: EnvOpt = None,
        var: VarOpt = None,
        image_tag: Annotated[Optional[str], typer.Option("--image-tag", "-t", help="Run this tag of the manifest's image (a one-off revision).")] = None,
        image: Annotated[Optional[str], typer.Option("--image", help="Run this full image URI (a one-off revision).")] = None,
        container: ContainerOpt = None,
        timeout: Annotated[Optional[str], typer.Option("--timeout", help="Stop the task after this long: 90s, 10m, 1h (default 10m).")] = "10m",
        detach: Annotated[bool, typer.Option("--detach", help="Print the task ARN and exit 0 once it has started.")] = False,
    ) -> None:
        """Run a one-off task like the service's (roles, secrets, network), e.g. `ecsship run -- bin/migrate up`.

        Streams the container's log lines and exits with its exit code; 1 when the task stopped
        without one (the stop reason is printed) or --timeout stopped it; 130 on Ctrl-C (the task
        keeps running).
        """
        from ecsship.ops.run import run_command
        from ecsship.ui.ops_view import RunView

        out = ctx.obj.out()
        code = run_command(ctx.obj, lambda: RunView(out), file=file, env=env, var=var, image_tag=image_tag, image=image,
                           container=container, timeout=timeout, detach=detach, command=list(command or []))
        raise typer.Exit(code)
