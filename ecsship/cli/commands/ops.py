"""`ecsship run`, `ecsship logs`, `ecsship exec`: day-2 operations on a deployed service (issue 15).

Argument parsing only: the flows are in ecsship/ops/ (no typer there); the views in ui/ops_view.py.
"""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import manifest_options

ContainerOpt = Annotated[Optional[str], typer.Option("--container", help="Container to use (default: the service's main container).")]
CommandArg = Annotated[Optional[List[str]], typer.Argument(help="The command and its arguments, after `--`.", show_default=False)]


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Operations")
    @guarded
    @manifest_options
    def run(
        ctx: typer.Context,
        command: CommandArg = None,
        image_tag: Annotated[Optional[str], typer.Option("--image-tag", "-t", help="Run this tag of the manifest's image (a one-off revision).")] = None,
        image: Annotated[Optional[str], typer.Option("--image", help="Run this full image URI (a one-off revision).")] = None,
        container: ContainerOpt = None,
        timeout: Annotated[Optional[str], typer.Option("--timeout", help="Stop the task after this long: 90s, 10m, 1h (default 10m).")] = "10m",
        detach: Annotated[bool, typer.Option("--detach", help="Print the task ARN and exit 0 once it has started.")] = False,
        *, file, env, var,
    ) -> None:
        """Run a one-off task like the service's (roles, secrets, network), e.g. `ecsship run -- bin/migrate up`.

        Streams the container's log lines and exits with its exit code; 1 when the task stopped
        without one (the stop reason is printed) or --timeout stopped it; 130 on Ctrl-C (the task
        keeps running).
        """
        from ecsship.app.run import run_command
        from ecsship.ui.ops_view import RunView

        out = ctx.obj.out()
        code = run_command(ctx.obj, lambda: RunView(out), file=file, env=env, var=var, image_tag=image_tag, image=image,
                           container=container, timeout=timeout, detach=detach, command=list(command or []))
        raise typer.Exit(code)

    @app.command(rich_help_panel="Operations")
    @guarded
    @manifest_options
    def logs(
        ctx: typer.Context,
        follow: Annotated[bool, typer.Option("--follow", "-F", help="Keep printing new lines until Ctrl-C (exit 130).")] = False,
        since: Annotated[Optional[str], typer.Option("--since", help="How far back to start: 90s, 10m, 1h (default 10m).")] = None,
        deployment: Annotated[Optional[str], typer.Option("--deployment", help="Only tasks of this deployment (its id whole or as deploy prints it, e.g. ecs-svc/…41623665).")] = None,
        revision: Annotated[Optional[int], typer.Option("--revision", help="Only tasks of this task definition revision number.")] = None,
        task: Annotated[Optional[str], typer.Option("--task", help="Only this task (its id, or the first characters of it).")] = None,
        container: ContainerOpt = None,
        *, file, env, var,
    ) -> None:
        """The service's log lines (CloudWatch Logs), each labelled with its task and revision."""
        from ecsship.app.logs import logs_command
        from ecsship.ui.ops_view import print_log_line

        out = ctx.obj.out()
        code = logs_command(ctx.obj, lambda line, rev: print_log_line(out, line, rev), file=file, env=env, var=var, follow=follow,
                            since=since, deployment=deployment, revision=revision, task=task, container=container)
        raise typer.Exit(code)

    @app.command("exec", rich_help_panel="Operations")
    @guarded
    @manifest_options
    def exec_(
        ctx: typer.Context,
        command: CommandArg = None,
        task: Annotated[Optional[str], typer.Option("--task", help="The task (id or its first characters); default: a running task of the service.")] = None,
        container: ContainerOpt = None,
        *, file, env, var,
    ) -> None:
        """Run a command in a running task through ECS Exec, e.g. `ecsship exec -- sh`.

        Checks first, one line each with the fix: ECS Exec on the service and the task, the task
        role's ssmmessages permissions, the session-manager-plugin, an ssmmessages VPC endpoint.
        Exits with the session's exit code; 1 when a check fails (or on the local AWS, which
        cannot open a session).
        """
        from ecsship.app.exec import exec_command
        from ecsship.ui.ops_view import print_check

        out = ctx.obj.out()
        code = exec_command(ctx.obj, lambda check: print_check(out, check), file=file, env=env, var=var, task=task,
                            container=container, command=list(command or []))
        raise typer.Exit(code)
