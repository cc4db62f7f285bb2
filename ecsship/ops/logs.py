"""`ecsship logs`: the service's container lines, each labelled with its task and revision.

Where the lines are: the awslogs group and stream prefix of the service's task definition; each task
writes `prefix/container/task-id` (Amazon ECS Developer Guide, "Send Amazon ECS logs to
CloudWatch"). Which revision a task ran: ListTasks by the family (service tasks and one-off tasks
alike; stopped tasks stay listed for about an hour) then DescribeTasks. Lines of older tasks are
still shown, labelled `?`.

`--follow` polls FilterLogEvents every few seconds (the injected clock's sleep) until Ctrl-C, which
ends the command with 130. CloudWatch Logs Live Tail (StartLiveTail) is not used: polling works
everywhere, the local AWS included, at the cost of a few seconds' delay.
"""
from __future__ import annotations

from dataclasses import dataclass

from ecsship.aws.errors import aws_call
from ecsship.deploy.names import short_deployment
from ecsship.errors import EcsshipError

FOLLOW_SECONDS = 3.0
DEFAULT_SINCE = 10 * 60


@dataclass
class TaskInfo:
    task_definition: str
    started_by: str


def task_index(aws, cluster: str, family: str) -> dict[str, TaskInfo]:
    """Task id -> what it ran, for the family's tasks ECS still lists (running and recently stopped)."""
    ecs = aws.client("ecs")
    arns: list[str] = []
    for status in ("RUNNING", "STOPPED"):
        with aws_call(f"tasks of {family} in cluster {cluster}", "ecs:ListTasks"):
            for page in ecs.get_paginator("list_tasks").paginate(cluster=cluster, family=family, desiredStatus=status):
                arns += page.get("taskArns", [])
    index: dict[str, TaskInfo] = {}
    for i in range(0, len(arns), 100):
        with aws_call(f"tasks of {family} in cluster {cluster}", "ecs:DescribeTasks"):
            for task in ecs.describe_tasks(cluster=cluster, tasks=arns[i:i + 100]).get("tasks", []):
                index[task["taskArn"].rsplit("/", 1)[-1]] = TaskInfo(task.get("taskDefinitionArn", ""), task.get("startedBy", ""))
    return index


@dataclass
class Selection:
    task: str | None = None  # a task id (or its first characters)
    revision: int | None = None
    deployment: str | None = None  # ecs-svc/... (startedBy) or a service deployment id from `history`; whole or as text shows it
    deployment_td: str | None = None  # resolved from a service deployment id

    def wants(self, task_id: str, info: TaskInfo | None) -> bool:
        if self.task and not task_id.startswith(self.task):
            return False
        if self.revision is not None and (info is None or not info.task_definition.endswith(f":{self.revision}")):
            return False
        if self.deployment:
            if info is None:
                return False
            if self.deployment.startswith("ecs-svc/"):
                return self.deployment in spellings(info.started_by)
            return info.task_definition == self.deployment_td
        return True


def spellings(deployment_id: str) -> tuple[str, ...]:
    """A deployment id whole, as text shows it (names.short_deployment), and that without its `…`
    (easier to type than to copy)."""
    short = short_deployment(deployment_id)
    return deployment_id, short, short.replace("…", "")


def resolve_deployment(aws, settings, ident: str) -> str:
    """The task definition a service deployment (id as `history` shows it, or its ARN) rolled out."""
    from ecsship.deploy.history import deployments

    for row in deployments(aws, settings, 50):
        if row["id"] and (ident in spellings(row["id"]) or ident.endswith("/" + row["id"])):
            if row.get("task_definition"):
                return row["task_definition"]
    raise EcsshipError(f"deployment {ident} is not among the service's recent deployments", "`ecsship history` lists them")

