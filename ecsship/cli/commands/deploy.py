"""`ecsship deploy`, `ecsship rollback`, `ecsship promote`: ship a version, undo it, let it through.

The flows are in ecsship/app/ (deploy, rollback, wait, promote); they go through ecsship.deploy
(strategy → watcher → view) and exit with the outcome's code:
0 completed, 1 failed / rolled back / timed out, 130 interrupted (the rollout keeps going).
"""
from __future__ import annotations

import importlib
from typing import Annotated, Optional

import typer

from ecsship.cli.errors_to_exit import guarded
from ecsship.cli.options import FilesOpt, KeepGoingOpt, OnlyOpt, ParallelOpt, manifest_options, one_file

TimeoutOpt = Annotated[Optional[str], typer.Option("--timeout", help="Give up (and roll back) after this long: 90s, 15m, 1h. Default: the manifest's deploy.timeout.")]
NoWaitOpt = Annotated[bool, typer.Option("--no-wait", help="Start the rollout, print its id and exit 0 without watching.")]


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Ship")
    @guarded
    @manifest_options
    def deploy(
        ctx: typer.Context,
        image_tag: Annotated[Optional[str], typer.Option("--image-tag", "-t", help="Replace the tag (or sha256: digest) of the manifest's image.")] = None,
        image: Annotated[Optional[list[str]], typer.Option("--image", help="Deploy this full image URI instead of the manifest's; NAME=URI (repeatable) moves container NAME's image.")] = None,
        timeout: TimeoutOpt = None,
        no_rollback: Annotated[bool, typer.Option("--no-rollback", help="On timeout, leave the rollout running instead of rolling back.")] = False,
        no_wait: NoWaitOpt = False,
        force: Annotated[bool, typer.Option("--force", help="Start even if another deployment is in progress; redeploy an unchanged revision.")] = False,
        continue_: Annotated[bool, typer.Option("--continue", help="Let a deployment waiting for approval shift production traffic (same as `promote`).")] = False,
        with_infra: Annotated[bool, typer.Option("--with-infra", help="Apply infrastructure changes the plan shows before deploying.")] = False,
        only: OnlyOpt = None,
        parallel: ParallelOpt = 4,
        keep_going: KeepGoingOpt = False,
        *, file: FilesOpt = None, env, var,
    ) -> None:
        """Ship a new version through the manifest's strategy and watch it to the end.

        Exit 0 only when the deployment this command started completed; 1 when it failed or timed
        out (the service is left on the last good revision, and the reason is printed); 130 on Ctrl-C
        (the rollout keeps going). Many manifests: in `after:` order, independent services in parallel
        (--parallel), each under its own lock; exit 1 if any failed, its dependants skipped.
        """
        from ecsship.fleet.files import is_fleet

        if is_fleet(file, only) and not continue_:
            from ecsship.app import fleet

            code = fleet.deploy(ctx.obj, file, env, var, only=only, parallel=parallel, keep_going=keep_going, image_tag=image_tag,
                                image=image, timeout=timeout, rollback=not no_rollback, wait=not no_wait, force=force,
                                with_infra=with_infra)
            if code:
                raise typer.Exit(code)
            return
        if continue_:
            from ecsship.app.promote import promote

            promote(ctx.obj, one_file(file), env, var, timeout)
            return
        from ecsship.app.deploy import deploy as deploy_flow

        deploy_flow(ctx.obj, one_file(file), env, var, image_tag=image_tag, image=image, timeout=timeout,
                    rollback=not no_rollback, wait=not no_wait, force=force, with_infra=with_infra)

    @app.command(rich_help_panel="Ship")
    @guarded
    @manifest_options
    def rollback(
        ctx: typer.Context,
        to_revision: Annotated[Optional[int], typer.Option("--to-revision", help="Task definition revision number to return to.")] = None,
        timeout: TimeoutOpt = None,
        no_wait: NoWaitOpt = False,
        *, file, env, var,
    ) -> None:
        """Return to the last good revision before the current one (or --to-revision N).

        During a rollout, stops it and rolls it back. Run twice, it goes back two good revisions.
        """
        from ecsship.app.rollback import rollback as rollback_flow

        rollback_flow(ctx.obj, file, env, var, to_revision=to_revision, timeout=timeout, wait=not no_wait)

    def follow_command(name: str, doc: str) -> None:
        """`wait` and `promote`: the manifest and --timeout, handed to the flow `ecsship.app.<name>.<name>`."""
        @guarded
        @manifest_options
        def command(ctx: typer.Context, timeout: TimeoutOpt = None, *, file, env, var) -> None:
            flow = getattr(importlib.import_module(f"ecsship.app.{name}"), name)  # imported when it runs: --help stays light
            flow(ctx.obj, file, env, var, timeout)

        command.__doc__ = doc
        app.command(name, rich_help_panel="Ship")(command)

    follow_command("wait", """Follow the deployment in progress (whoever started it) to its end, without acting on it.

        Exit 0 when it completed (or none is in progress), 1 when it failed, rolled back or timed out,
        3 when it waits for approval, 130 on Ctrl-C.
        """)
    follow_command("promote", """Shift production traffic to a deployment waiting for approval (`approval: manual`), and watch it finish.""")
