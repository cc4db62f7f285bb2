"""What a simulated task's containers write to CloudWatch Logs through the awslogs driver.

Stream naming follows the Amazon ECS Developer Guide ("Send Amazon ECS logs to CloudWatch",
awslogs-stream-prefix): with a prefix, each container's stream is `prefix/container-name/ecs-task-id`.
The log group must exist: without `awslogs-create-group` ECS does not create it (the task then fails
to start on AWS; here the lines are simply not written, see docs/local.md).

The lines themselves are invented but stable: the image a container started from, the command it
runs (the task's containerOverrides command, else the definition's `command`), and for a container
that exits, its exit code, so `ecsship run` and `ecsship logs` have real lines to show.
"""
from __future__ import annotations

import shlex


def command_of(task, container_name: str, definition: dict) -> list[str]:
    """The command the container runs: RunTask's containerOverrides win over the definition
    (ContainerOverride.command: "The command to send to the container that overrides the default
    command from the Docker image or the task definition")."""
    for override in (getattr(task, "overrides", None) or {}).get("containerOverrides") or []:
        if override.get("name") == container_name and override.get("command"):
            return list(override["command"])
    return list(definition.get("command") or [])


def stream_of(task, definition: dict) -> tuple[str, str] | None:
    """(log group, stream) of a container using awslogs with a stream prefix, else None."""
    config = definition.get("logConfiguration") or {}
    options = config.get("options") or {}
    if config.get("logDriver") != "awslogs" or not options.get("awslogs-group") or not options.get("awslogs-stream-prefix"):
        return None
    task_id = task.task_arn.rsplit("/", 1)[-1]
    return options["awslogs-group"], f"{options['awslogs-stream-prefix']}/{definition.get('name')}/{task_id}"


def started_lines(task, definition: dict) -> list[str]:
    command = command_of(task, definition.get("name") or "", definition)
    shown = shlex.join(command) if command else "(the image's default command)"
    return [f"starting {definition.get('image')}", f"$ {shown}", "ready"]


def write(task, definition: dict, lines: list[str], now: float) -> None:
    """Append lines to the container's stream (created on first write, as the awslogs driver does)."""
    from moto.logs.models import logs_backends

    target = stream_of(task, definition)
    if target is None or not lines:
        return
    group_name, stream_name = target
    backend = logs_backends[task._account_id][task.region_name]
    group = backend.groups.get(group_name)
    if group is None:
        return
    if stream_name not in group.streams:
        group.create_log_stream(stream_name)
    millis = int(now * 1000)
    group.put_log_events(stream_name, [{"timestamp": millis + i, "message": line} for i, line in enumerate(lines)])


def containers_started(task, now: float, skip=()) -> None:
    """Each started container's first lines, in its own stream (`skip`: containers that never start)."""
    for definition in _definitions(task):
        if definition.get("name") not in skip:
            write(task, definition, started_lines(task, definition), now)


def containers_exited(task, now: float, only: set | None = None) -> None:
    by_name = {c.name: c for c in task.containers}
    for definition in _definitions(task):
        if only is not None and definition.get("name") not in only:
            continue
        container = by_name.get(definition.get("name"))
        code = getattr(container, "exitCode", None) if container is not None else None
        if code is not None:
            write(task, definition, [f"exiting with code {code}"], now)


def _definitions(task) -> list[dict]:
    try:
        return list(task._backend.describe_task_definition(task.task_definition_arn).container_definitions)
    except Exception:  # a deregistered definition: nothing to write
        return []
