"""`ecsship local up|status|down|reset|alarm`: the embedded local AWS on 127.0.0.1."""
from __future__ import annotations

import time
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


def _port(ctx: typer.Context, port: int | None) -> int:
    from ecsship.local.client import default_port

    return port or ctx.obj.local_port or default_port()


def _uptime(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else (f"{minutes}m{secs:02d}s" if minutes else f"{secs}s")


def _summary(status: dict) -> dict:
    """What `status` shows: never the seeded secret values, only names and ARNs."""
    started = status.get("started_at") or time.time()
    return {
        "running": True,
        "endpoint": f"http://127.0.0.1:{status.get('port')}",
        "port": status.get("port"),
        "pid": status.get("pid"),
        "started_at": started,
        "uptime_seconds": round(time.time() - started, 1),
        "account": status.get("account"),
        "region": status.get("region"),
        "seeded": bool(status.get("seeded")),
        "seed": status.get("seed"),
        "clock": status.get("clock"),
        "fail_images": status.get("fail_images"),
        "fail_mode": status.get("fail_mode"),
        "log": status.get("log"),
        "state_file": status.get("state_file"),
        "auth": bool(status.get("auth")),
        "simulator_errors": status.get("simulator_errors", 0),
    }


def _plain(out, text: str) -> None:
    # emoji=False: rich would turn the ":secret:" inside every Secrets Manager ARN into an emoji.
    if not out.quiet:
        out.out.print(text, markup=False, emoji=False, highlight=False)


def _print_status(out, summary: dict) -> None:
    out.success(f"local AWS running at {summary['endpoint']} (pid {summary['pid']}, up {_uptime(summary['uptime_seconds'])})")
    _plain(out, f"account {summary['account']}, region {summary['region']}; "
              f"clock x{summary['clock']['speed']:g}{' (manual)' if summary['clock']['manual'] else ''}; "
              f"failing images: {summary['fail_images']} ({summary['fail_mode']})")
    seed = summary.get("seed")
    if not seed:
        _plain(out, "account: empty (--bare)")
        return
    _plain(out, "seeded:")
    _plain(out, f"  vpc          {seed['vpc']} (Name=main): private {', '.join(seed['private_subnets'])}; public {', '.join(seed['public_subnets'])}")
    _plain(out, f"  alb main     {seed['alb_dns']}, listeners {', '.join(sorted(seed['listeners']))}, certificate *.example.com")
    _plain(out, "  ecr          " + "; ".join(f"{repo}: {', '.join(tags)}" for repo, tags in seed["ecr"].items()))
    _plain(out, f"  secrets      {', '.join(seed['secrets'])}")
    _plain(out, f"  parameters   {', '.join(seed['parameters'])}")
    _plain(out, f"  sns topics   {', '.join(seed['topics'])}")
    if summary.get("log"):
        _plain(out, f"log: {summary['log']}")
    if summary.get("state_file"):
        _plain(out, f"state: {summary['state_file']} (0600; holds the control token"
                    f"{', required as the access key: --auth' if summary.get('auth') else ''})")
    if summary.get("simulator_errors"):
        out.warning(f"the rollout simulator failed {summary['simulator_errors']} times; tracebacks are in the log")


@local_app.command()
@guarded
def up(
    ctx: typer.Context,
    port: PortOpt = None,
    bare: Annotated[bool, typer.Option("--bare", help="Start an empty account (no VPC, ALB, images, secrets).")] = False,
    fail_images: Annotated[Optional[str], typer.Option("--fail-images", metavar="PATTERN", help="Images whose tag matches this glob fail (default *broken*, or ECSSHIP_LOCAL_FAIL_IMAGES).")] = None,
    fail_mode: Annotated[Optional[str], typer.Option("--fail-mode", help="How they fail: health-check (start, then fail checks) or exit (exit non-zero); or ECSSHIP_LOCAL_FAIL_MODE.")] = None,
    speed: Annotated[Optional[float], typer.Option("--speed", help="Simulated seconds per real second (default 15: a 5-minute canary wait takes 20 s; or ECSSHIP_LOCAL_SPEED).")] = None,
    auth: Annotated[bool, typer.Option("--auth", help="Shared machines: AWS API calls must use the token in the state file as the access key (`jq -r .token` on the file `local status` names).")] = False,
) -> None:
    """Start the local AWS in the background; returns once it answers."""
    from ecsship.errors import UsageError
    from ecsship.local import client

    if fail_mode is not None and fail_mode not in ("health-check", "exit"):
        raise UsageError(f"--fail-mode must be health-check or exit, not {fail_mode!r}")
    if speed is not None and speed <= 0:
        raise UsageError("--speed must be a positive number")
    out = ctx.obj.out()
    port = _port(ctx, port)
    from ecsship.local.moto_check import untested_moto, warning_text

    untested = untested_moto()
    if untested is not None:
        out.warning(warning_text(untested))
    try:
        status = client.start_backend(port, bare=bare, speed=speed, fail_images=fail_images, fail_mode=fail_mode, auth=auth)
    except client.AlreadyRunning as exc:
        summary = _summary(exc.status)
        if out.json_mode:
            out.emit_json({"ok": True, "already_running": True, **summary})
        else:
            out.success(f"local AWS already running at {summary['endpoint']} (pid {summary['pid']}); `ecsship local down` stops it")
        return
    summary = _summary(status)
    if out.json_mode:
        out.emit_json({"ok": True, "already_running": False, **summary})
        return
    out.success(f"local AWS started at {summary['endpoint']} (pid {summary['pid']}, {'empty account' if bare else 'seeded account 123456789012'})")
    out.print(f"use it: add --local to any command{'' if port == 4566 else f' (with --local-port {port})'}; stop it: ecsship local down{'' if port == 4566 else f' --port {port}'}")


@local_app.command()
@guarded
def status(ctx: typer.Context, port: PortOpt = None) -> None:
    """Is the local AWS running: endpoint, pid, uptime, what is seeded. Exit 1 when it is not running."""
    from ecsship.local import client

    out = ctx.obj.out()
    port = _port(ctx, port)
    running = client.discover(port)
    if running is None:
        if out.json_mode:
            out.emit_json({"running": False, "port": port, "endpoint": client.endpoint_for(port)})
        else:
            out.print(f"no local AWS running on port {port} (start one with `ecsship local up{'' if port == 4566 else f' --port {port}'}`)")
        raise typer.Exit(1)
    summary = _summary(running)
    if out.json_mode:
        out.emit_json(summary)
    else:
        _print_status(out, summary)


@local_app.command()
@guarded
def down(ctx: typer.Context, port: PortOpt = None) -> None:
    """Stop the local AWS (its data is discarded). Succeeds when none runs."""
    from ecsship.local import client

    out = ctx.obj.out()
    port = _port(ctx, port)
    stopped = client.stop_backend(port)
    if out.json_mode:
        out.emit_json({"ok": True, "stopped": stopped is not None, "port": port, "pid": (stopped or {}).get("pid")})
    elif stopped is None:
        out.print(f"no local AWS running on port {port}")
    else:
        out.success(f"local AWS on port {port} stopped (pid {stopped.get('pid')})")


@local_app.command()
@guarded
def reset(ctx: typer.Context, port: PortOpt = None) -> None:
    """Back to the state right after `up`: the seeded account (or empty with --bare), clock kept."""
    from ecsship.local import client

    out = ctx.obj.out()
    port = _port(ctx, port)
    if client.discover(port) is None:
        raise client.LocalBackendError(f"no local AWS running on port {port}", f"start one with `ecsship local up{'' if port == 4566 else f' --port {port}'}`")
    result = client.control(port, "reset")
    if out.json_mode:
        out.emit_json({"ok": True, "port": port, "seeded": result.get("seeded"), "seconds": result.get("seconds")})
    else:
        out.success(f"local AWS on port {port} reset to the {'seeded' if result.get('seeded') else 'empty'} account")


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
    from ecsship.aws.errors import aws_call
    from ecsship.aws.session import Aws
    from ecsship.errors import UsageError
    from ecsship.local import client

    state = state.upper()
    if state not in ("ALARM", "OK", "INSUFFICIENT_DATA"):
        raise UsageError(f"--state must be ALARM, OK or INSUFFICIENT_DATA, not {state!r}")
    out = ctx.obj.out()
    port = _port(ctx, port)
    if client.discover(port) is None:
        raise client.LocalBackendError(f"no local AWS running on port {port}", "start one with `ecsship local up`")
    cloudwatch = Aws(region="us-east-1", endpoint_url=client.endpoint_for(port), local=True,
                     credentials=client.credentials(port)).client("cloudwatch")
    with aws_call(f"alarm {name}", "cloudwatch:SetAlarmState"):
        cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)
    if out.json_mode:
        out.emit_json({"ok": True, "alarm": name, "state": state})
    else:
        out.success(f"alarm {name} is now {state}")


image_app = typer.Typer(
    name="image",
    help="Images in the local AWS's ECR: register your own so any manifest can be rehearsed offline.",
    no_args_is_help=True,
)
local_app.add_typer(image_app, name="image")


def _local_ecr(ctx: typer.Context, port: int | None):
    from ecsship.aws.session import Aws
    from ecsship.local import client

    port = _port(ctx, port)
    if client.discover(port) is None:
        raise client.LocalBackendError(f"no local AWS running on port {port}",
                                       f"start one with `ecsship local up{'' if port == 4566 else f' --port {port}'}`")
    return Aws(region="us-east-1", endpoint_url=client.endpoint_for(port), local=True).client("ecr")


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
    from ecsship.aws.errors import aws_call
    from ecsship.local.images import add_image, parse_local_image

    images = [parse_local_image(uri) for uri in uris]  # every URI checked before any is added
    ecr = _local_ecr(ctx, port)
    out = ctx.obj.out()
    for image in images:
        with aws_call(f"image {image.repository}:{image.tag}", "ecr:PutImage"):
            result = add_image(ecr, image)
        if out.json_mode:
            out.emit_json({"ok": True, "image": image.uri, "result": result})
        elif result == "added":
            out.success(f"added {image.repository}:{image.tag} to the local ECR")
        else:
            out.print(f"{image.repository}:{image.tag} is already in the local ECR")


@image_app.command("list")
@guarded
def image_list(ctx: typer.Context, port: PortOpt = None) -> None:
    """Show the repositories and tags in the local ECR."""
    from ecsship.aws.errors import aws_call
    from ecsship.local.images import list_images

    ecr = _local_ecr(ctx, port)
    with aws_call("local ECR", "ecr:DescribeRepositories"):
        rows = list_images(ecr)
    out = ctx.obj.out()
    if out.json_mode:
        out.emit_json({"images": rows})
        return
    if not rows:
        out.print("the local ECR is empty; add an image with `ecsship local image add URI`")
    for row in rows:
        _plain(out, f"{row['uri']}: {', '.join(row['tags']) or '(no tags)'}")


def register(app: typer.Typer) -> None:
    app.add_typer(local_app, name="local", rich_help_panel="Local AWS")
