"""`ecsship init`: write a commented starter manifest (the flow: ecsship/app/init.py)."""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from ecsship.cli.errors_to_exit import guarded


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Manifest")
    @guarded
    def init(
        ctx: typer.Context,
        file: Annotated[str, typer.Option("--file", "-f", help="Where to write the manifest.")] = "ecsship.yaml",
        service: Annotated[Optional[str], typer.Option(help="Service name.")] = None,
        image: Annotated[Optional[str], typer.Option(help="Image with an immutable tag, e.g. 1234.dkr.ecr.us-east-1.amazonaws.com/app:v1.")] = None,
        port: Annotated[Optional[int], typer.Option(help="Container port; with one, the service sits behind an ALB.")] = None,
        cluster: Annotated[Optional[str], typer.Option(help="ECS cluster name.")] = None,
        strategy: Annotated[Optional[str], typer.Option(help="rolling, blue_green, canary or linear.")] = None,
        secret: Annotated[Optional[List[str]], typer.Option("--secret", metavar="NAME=REF", help="A secret: NAME=secretsmanager:PATH or NAME=ssm:/path (repeatable).")] = None,
        env: Annotated[Optional[List[str]], typer.Option("--env", metavar="NAME", help="An environment with its own cluster, host and priority, e.g. staging (repeatable).")] = None,
        host: Annotated[Optional[str], typer.Option(help="Host name the listener rule matches (default SERVICE.example.com).")] = None,
        priority: Annotated[Optional[int], typer.Option(help="Listener rule priority (default: the first free one from 100).")] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    ) -> None:
        """Write a starter manifest: prompts on a terminal, flags otherwise.

        With --local (or when a local AWS runs) the VPC, subnets, ALB and listener priority are read
        from it, so the manifest applies as is.

        Example: ecsship init --service api --image 1234.dkr.ecr.us-east-1.amazonaws.com/api:v1 --port 8080
        """
        from ecsship.app.init import init as init_flow

        init_flow(ctx.obj, file, service=service, image=image, port=port, cluster=cluster, strategy=strategy,
                  secret=secret, env=env, host=host, priority=priority, force=force)
