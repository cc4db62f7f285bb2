"""`ecsship exec`: the pre-flight checks, then an ECS Exec session (ops/exec.py)."""
from __future__ import annotations

from ecsship.app.service_manifest import load_service
from ecsship.errors import EcsshipError
from ecsship.ops.exec import ExecNotPossible, checks, execute, pick_task
from ecsship.ops.run import describe_service


def exec_command(app, report, *, file: str, env: str | None, var: list[str] | None, task: str | None,
                 container: str | None, command: list[str]) -> int:
    """`ecsship exec`: the checks (each reported as one line), then the session; the exit code."""
    if not command:
        raise EcsshipError("no command given", "put it after `--`: ecsship exec -- sh")
    loaded = load_service(file, env, var)
    manifest, settings = loaded.manifest, loaded.settings
    aws = app.aws_for(manifest.data)
    local = bool(getattr(aws, "local", False))
    service = describe_service(aws, settings.cluster, settings.service)
    if not service.get("enableExecuteCommand"):
        [check] = checks(aws, manifest.data, service, None, local)
        raise ExecNotPossible(f"{check.text}: {check.fix}")
    chosen = pick_task(aws, settings.cluster, settings.service, task)
    results = checks(aws, manifest.data, service, chosen, local)
    for check in results:
        report(check)
    failed = [c for c in results if not c.ok]
    if failed:
        raise ExecNotPossible(f"ECS Exec cannot connect: {len(failed)} check{'s' if len(failed) != 1 else ''} failed (see above)")
    if local:
        raise ExecNotPossible("the local AWS cannot open an ECS Exec session (it runs no SSM agent); the checks above passed",
                              "run the same command against AWS")
    return execute(aws, settings.cluster, chosen, container or settings.container, command, aws.region, app.profile)
