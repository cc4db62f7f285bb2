"""The last lines of a failing task of a deployment's new revision, shown next to the stop reason.

A failed rollout's reason ("tasks failed to start", the circuit breaker) rarely says why the
application died; its own last lines usually do. The stopped task is found with ListTasks (family,
desiredStatus STOPPED: ECS lists stopped tasks for about an hour) and DescribeTasks; its lines with
GetLogEvents on its awslogs stream (`prefix/container/task-id`, ECS Developer Guide "Send Amazon
ECS logs to CloudWatch"; botocore `logs GetLogEvents.startFromHead` false: the newest events).
Best effort: any failure here leaves the deploy's outcome as it is.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.errors import EcsshipError
from ecsship.ops.tasklogs import awslogs_of, stream_name

MAX_LINES = 20


def failing_task(aws, settings, task_definition: str, limit: int = MAX_LINES) -> dict | None:
    """{task_id, reason, exit_code, lines} of the newest stopped task of `task_definition`, or None."""
    try:
        return _failing_task(aws, settings, task_definition, limit)
    except Exception:  # noqa: BLE001 - a diagnostic extra: whatever fails here, the deploy's outcome must still be told
        return None


def _failing_task(aws, settings, task_definition: str, limit: int) -> dict | None:
    ecs = aws.client("ecs")
    family = task_definition.rsplit("/", 1)[-1].rsplit(":", 1)[0]
    with aws_call(f"tasks of {family}", "ecs:ListTasks"):
        arns = ecs.list_tasks(cluster=settings.cluster, family=family, desiredStatus="STOPPED").get("taskArns", [])[:100]
    if not arns:
        return None
    with aws_call(f"tasks of {family}", "ecs:DescribeTasks"):
        tasks = ecs.describe_tasks(cluster=settings.cluster, tasks=arns).get("tasks", [])
    mine = [t for t in tasks if t.get("taskDefinitionArn") == task_definition and str(t.get("group", "")).startswith("service:")
            and failed(t)]
    if not mine:
        return None
    task = max(mine, key=lambda t: str(t.get("stoppedAt") or t.get("stoppingAt") or ""))
    container = next((c for c in task.get("containers") or [] if c.get("name") == settings.container), {})
    with aws_call(f"task definition {task_definition.rsplit('/', 1)[-1]}", "ecs:DescribeTaskDefinition"):
        definition = ecs.describe_task_definition(taskDefinition=task_definition)["taskDefinition"]
    lines: list[str] = []
    where = awslogs_of(definition, settings.container)
    if where is not None:
        group, prefix = where
        try:
            with aws_call(f"log group {group}", "logs:GetLogEvents"):
                events = aws.client("logs").get_log_events(logGroupName=group, logStreamName=stream_name(prefix, settings.container, task["taskArn"]),
                                                           startFromHead=False, limit=limit).get("events", [])
            lines = [e.get("message", "").rstrip("\n") for e in events][-limit:]
        except EcsshipError:
            lines = []  # no stream: the container never wrote a line
    return {"task_id": task["taskArn"].rsplit("/", 1)[-1], "reason": task.get("stoppedReason", ""),
            "exit_code": container.get("exitCode"), "lines": lines}


def failed(task: dict) -> bool:
    """Stopped on its own (a container exited, it never started, it failed health checks), not by
    the scheduler scaling it in or replacing it during a rollback (botocore `ecs Task.stopCode`)."""
    if task.get("stopCode") in ("EssentialContainerExited", "TaskFailedToStart"):
        return True
    return "fail" in (task.get("stoppedReason") or "").lower()
