"""`ecsship job list` and `ecsship job run NAME` (the flows: ecsship/app/job.py)."""
from __future__ import annotations

from typing import Annotated

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import manifest_options


def register(app: typer.Typer) -> None:
    job_app = typer.Typer(help="The manifest's scheduled jobs: list them, or run one now.", no_args_is_help=True)
    app.add_typer(job_app, name="job", rich_help_panel="Operations")

    @job_app.command("list")
    @guarded
    @manifest_options
    def list_(ctx: typer.Context, *, file, env, var) -> None:
        """Each job's schedule, next run and last runs with their exit codes.

        Example: ecsship job list -o json

        Exit 0 with the list; 1 when AWS could not be read; 2 on an invalid manifest.
        """
        from ecsship.app.job import list_command
        from ecsship.ui.ops_view import print_job

        out = ctx.obj.out()
        raise typer.Exit(list_command(ctx.obj, lambda job: print_job(out, job), file=file, env=env, var=var))

    @job_app.command("run")
    @guarded
    @manifest_options
    def run(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The job's name under `jobs:`.")], *, file, env, var) -> None:
        """Run a job now, as its schedule would: streams its lines and exits with its task's exit code.

        Example: ecsship job run nightly-report

        Exit 0 when the task exited 0; its exit code when it failed; 1 when it has none (it could not
        start, or its timeout stopped it); 2 on an unknown job or an invalid manifest; 130 on Ctrl-C
        (the task keeps running).
        """
        from ecsship.app.job import run_command
        from ecsship.ui.ops_view import RunView

        out = ctx.obj.out()
        raise typer.Exit(run_command(ctx.obj, lambda: RunView(out, step=None), name=name, file=file, env=env, var=var))
