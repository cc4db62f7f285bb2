"""`ecsship local up|status|down|reset|alarm|image`: the embedded local AWS (the flows: ecsship/app/local.py)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ecsship.cli.errors_to_exit import guarded

PortOpt = Annotated[Optional[int], typer.Option("--port", help="Port on 127.0.0.1 (default 4566, or ECSSHIP_LOCAL_PORT).")]

local_app = typer.Typer(
    name="local",
    help="The embedded local AWS: a seeded account on 127.0.0.1 that every command reaches with --local.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


@local_app.command()
@guarded
def up(
    ctx: typer.Context,
    port: PortOpt = None,
    bare: Annotated[bool, typer.Option("--bare", help="Start an empty account (no VPC, ALB, images, secrets).")] = False,
    fail_images: Annotated[Optional[str], typer.Option("--fail-images", metavar="PATTERN", help="Images whose tag matches this glob fail (default *broken*, or ECSSHIP_LOCAL_FAIL_IMAGES).")] = None,
    fail_mode: Annotated[Optional[str], typer.Option("--fail-mode", help="How they fail: health-check (start, then fail checks) or exit (exit non-zero); or ECSSHIP_LOCAL_FAIL_MODE.")] = None,
    speed: Annotated[Optional[float], typer.Option("--speed", help="Simulated seconds per real second (default 15: a 5-minute canary wait takes 20 s; or ECSSHIP_LOCAL_SPEED).")] = None,
    latency: Annotated[Optional[str], typer.Option("--latency", metavar="DELAY", help="Add this delay to every AWS API answer, as real AWS takes (80ms, 0.08s; or ECSSHIP_LOCAL_LATENCY).")] = None,
    auth: Annotated[bool, typer.Option("--auth", help="Shared machines: AWS API calls must use the token in the state file as the access key (`jq -r .token` on the file `local status` names).")] = False,
) -> None:
    """Start the local AWS in the background; returns once it answers."""
    from ecsship.app import local

    local.up(ctx.obj, port, bare=bare, fail_images=fail_images, fail_mode=fail_mode, speed=speed, auth=auth, latency=latency)


@local_app.command()
@guarded
def status(ctx: typer.Context, port: PortOpt = None) -> None:
    """Is the local AWS running: endpoint, pid, uptime, what is seeded. Exit 1 when it is not running."""
    from ecsship.app import local

    local.status(ctx.obj, port)


@local_app.command()
@guarded
def down(ctx: typer.Context, port: PortOpt = None) -> None:
    """Stop the local AWS (its data is discarded). Succeeds when none runs."""
    from ecsship.app import local

    local.down(ctx.obj, port)


@local_app.command()
@guarded
def reset(ctx: typer.Context, port: PortOpt = None) -> None:
    """Back to the state right after `up`: the seeded account (or empty with --bare), clock kept."""
    from ecsship.app import local

    local.reset(ctx.obj, port)


@local_app.command()
@guarded
def alarm(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The CloudWatch alarm's name.")],
    state: Annotated[str, typer.Option("--state", help="ALARM, OK or INSUFFICIENT_DATA.", case_sensitive=False)] = "ALARM",
    reason: Annotated[str, typer.Option("--reason", help="The state reason recorded.")] = "set with ecsship local alarm",
    port: PortOpt = None,
) -> None:
    """Set a CloudWatch alarm's state on the local AWS (a deployment watching it reacts)."""
    from ecsship.app import local

    local.alarm(ctx.obj, port, name, state, reason)


image_app = typer.Typer(
    name="image",
    help="Images in the local AWS's ECR: register your own so any manifest can be rehearsed offline.",
    no_args_is_help=True,
)
local_app.add_typer(image_app, name="image")


@image_app.command("add")
@guarded
def image_add(
    ctx: typer.Context,
    uris: Annotated[list[str], typer.Argument(metavar="URI...", help="ECR image URIs with a tag: 123456789012.dkr.ecr.us-east-1.amazonaws.com/REPO:TAG.")],
    port: PortOpt = None,
) -> None:
    """Register images in the local ECR (creating the repository) through the ECR API.

    They run healthy unless their tag matches `--fail-images` (default *broken*).
    Example: ecsship local image add 123456789012.dkr.ecr.us-east-1.amazonaws.com/billing-api:v1
    """
    from ecsship.app import local

    local.image_add(ctx.obj, port, uris)


@image_app.command("list")
@guarded
def image_list(ctx: typer.Context, port: PortOpt = None) -> None:
    """Show the repositories and tags in the local ECR."""
    from ecsship.app import local

    local.image_list(ctx.obj, port)


def register(app: typer.Typer) -> None:
    app.add_typer(local_app, name="local", rich_help_panel="Local AWS")
