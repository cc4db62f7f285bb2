"""`ecsship local up|status|down|reset|alarm|image`: the embedded local AWS on 127.0.0.1.

`ecsship/local/client.py` finds, starts and stops the backend process (standard library only);
these flows choose the port, call it and say what happened.
"""
from __future__ import annotations

import time

from ecsship.app.application import Quit
from ecsship.aws.errors import aws_call
from ecsship.errors import UsageError
from ecsship.local import client
from ecsship.local.images import add_image, list_images, parse_local_image
from ecsship.local.moto_check import untested_moto, warning_text
from ecsship.ui.local_view import print_status

ALARM_STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")


def port_of(app, port: int | None) -> int:
    """--port, else the global --local-port, else 4566 (or ECSSHIP_LOCAL_PORT)."""
    return port or app.local_port or client.default_port()


def up(app, port: int | None, *, bare: bool, fail_images: str | None, fail_mode: str | None, speed: float | None, auth: bool,
       latency: str | None = None) -> None:
    """Start the backend in the background; returns once it answers (or says one already runs)."""
    if fail_mode is not None and fail_mode not in ("health-check", "exit"):
        raise UsageError(f"--fail-mode must be health-check or exit, not {fail_mode!r}")
    if speed is not None and speed <= 0:
        raise UsageError("--speed must be a positive number")
    try:
        client.latency_from(latency)
    except client.LocalBackendError as exc:
        raise UsageError(str(exc), "for example --latency 80ms (or ECSSHIP_LOCAL_LATENCY=80ms)") from None
    out = app.out()
    port = port_of(app, port)
    untested = untested_moto()
    if untested is not None:
        out.warning(warning_text(untested))
    try:
        status = client.start_backend(port, bare=bare, speed=speed, fail_images=fail_images, fail_mode=fail_mode, auth=auth,
                                      latency=latency)
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
    out.print(f"use it: add --local to any command{_flag(port, ' (with --local-port {})')}; stop it: ecsship local down{_flag(port, ' --port {}')}")


def status(app, port: int | None) -> None:
    """What runs; `Quit(1)` when nothing does."""
    out = app.out()
    port = port_of(app, port)
    running = client.discover(port)
    if running is None:
        if out.json_mode:
            out.emit_json({"running": False, "port": port, "endpoint": client.endpoint_for(port)})
        else:
            out.print(f"no local AWS running on port {port} (start one with `ecsship local up{_flag(port, ' --port {}')}`)")
        raise Quit(1)
    summary = _summary(running)
    if out.json_mode:
        out.emit_json(summary)
    else:
        print_status(out, summary)


def down(app, port: int | None) -> None:
    """Stop it (its data is discarded); succeeds when none runs."""
    out = app.out()
    port = port_of(app, port)
    stopped = client.stop_backend(port)
    if out.json_mode:
        out.emit_json({"ok": True, "stopped": stopped is not None, "port": port, "pid": (stopped or {}).get("pid")})
    elif stopped is None:
        out.print(f"no local AWS running on port {port}")
    else:
        out.success(f"local AWS on port {port} stopped (pid {stopped.get('pid')})")


def reset(app, port: int | None) -> None:
    """Back to the state right after `up`, clock kept."""
    out = app.out()
    port = _running(port_of(app, port))
    result = client.control(port, "reset")
    if out.json_mode:
        out.emit_json({"ok": True, "port": port, "seeded": result.get("seeded"), "seconds": result.get("seconds")})
    else:
        out.success(f"local AWS on port {port} reset to the {'seeded' if result.get('seeded') else 'empty'} account")


def alarm(app, port: int | None, name: str, state: str, reason: str) -> None:
    """Set a CloudWatch alarm's state (SetAlarmState), as a metric breach would."""
    state = state.upper()
    if state not in ALARM_STATES:
        raise UsageError(f"--state must be ALARM, OK or INSUFFICIENT_DATA, not {state!r}")
    out = app.out()
    cloudwatch = _local_aws(_running(port_of(app, port))).client("cloudwatch")
    with aws_call(f"alarm {name}", "cloudwatch:SetAlarmState"):
        cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)
    if out.json_mode:
        out.emit_json({"ok": True, "alarm": name, "state": state})
    else:
        out.success(f"alarm {name} is now {state}")


def image_add(app, port: int | None, uris: list[str]) -> None:
    """Register images in the local ECR (PutImage, creating the repository)."""
    images = [parse_local_image(uri) for uri in uris]  # every URI checked before any is added
    ecr = _local_aws(_running(port_of(app, port))).client("ecr")
    out = app.out()
    for image in images:
        with aws_call(f"image {image.repository}:{image.tag}", "ecr:PutImage"):
            result = add_image(ecr, image)
        if out.json_mode:
            out.emit_json({"ok": True, "image": image.uri, "result": result})
        elif result == "added":
            out.success(f"added {image.repository}:{image.tag} to the local ECR")
        else:
            out.print(f"{image.repository}:{image.tag} is already in the local ECR")


def image_list(app, port: int | None) -> None:
    ecr = _local_aws(_running(port_of(app, port))).client("ecr")
    with aws_call("local ECR", "ecr:DescribeRepositories"):
        rows = list_images(ecr)
    out = app.out()
    if out.json_mode:
        out.emit_json({"images": rows})
        return
    if not rows:
        out.print("the local ECR is empty; add an image with `ecsship local image add URI`")
    for row in rows:
        out.print(f"{row['uri']}: {', '.join(row['tags']) or '(no tags)'}")


def _flag(port: int, text: str) -> str:
    """A port flag in a hint, only where the default port would not find the backend."""
    return "" if port == 4566 else text.format(port)


def _running(port: int) -> int:
    if client.discover(port) is None:
        raise client.LocalBackendError(f"no local AWS running on port {port}", f"start one with `ecsship local up{_flag(port, ' --port {}')}`")
    return port


def _local_aws(port: int):
    from ecsship.aws.session import Aws  # boto3: only the commands that call the backend's API

    return Aws(region="us-east-1", endpoint_url=client.endpoint_for(port), local=True, credentials=client.credentials(port))


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
        "latency_ms": status.get("latency_ms", 0.0),
        "log": status.get("log"),
        "state_file": status.get("state_file"),
        "auth": bool(status.get("auth")),
        "simulator_errors": status.get("simulator_errors", 0),
    }
