"""One-off tasks from the service's own task definition: `ecsship run`, and the `deploy.before` /
`deploy.after` steps.

The task is what the service runs, with only the command replaced: the service's task definition
(its roles, secrets, environment, log configuration) or, with another image, a revision of the same
family registered for it and tagged `ecsship:one-off` (never the service's revision: the service
keeps pointing at its own); the service's subnets, security groups, public IP setting, platform
version and capacity provider strategy (or launch type), from DescribeServices.

RunTask (botocore `ecs RunTask`): `overrides.containerOverrides[].command` "overrides the default
command from the Docker image or the task definition"; `clientToken` makes a resend idempotent;
`failures` lists tasks that could not be placed. The watch follows the task through the documented
lifecycle (Amazon ECS Developer Guide, "Amazon ECS task lifecycle"): a task can go from PENDING
straight to STOPPED (image pull failure), and only a container that ran has an `exitCode`
(botocore `ecs Container.exitCode`); `stoppedReason` / `stopCode` say why a task stopped.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Protocol

from ecsship.aws.errors import aws_call
from ecsship.deploy.polling import Backoff
from ecsship.deploy.revision_tags import DEPLOYED_AT, DEPLOYMENT_ID
from ecsship.desired.names import one_off_family
from ecsship.errors import EcsshipError
from ecsship.ops.tasklogs import LogLine, LogReader, awslogs_of, stream_name

ONE_OFF_TAG = "ecsship:one-off"
POLL_BACKOFF = Backoff(first=2.0, factor=1.5, cap=6.0)  # a one-off task moves every few seconds
STOP_GRACE_SECONDS = 120.0  # after a timeout, how long we wait for the stopped task's exit
LAST_LINES = 20
# RegisterTaskDefinition takes these members of a described definition back as they are.
REGISTER_KEYS = ("family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
                 "placementConstraints", "requiresCompatibilities", "cpu", "memory", "pidMode", "ipcMode",
                 "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform")


class Listener(Protocol):
    def started(self, task: "OneOff") -> None: ...
    def status(self, task: "OneOff", status: str) -> None: ...
    def log(self, task: "OneOff", line: LogLine) -> None: ...
    def note(self, text: str, severity: str = "info") -> None: ...


@dataclass
class OneOff:
    cluster: str
    task_arn: str
    task_definition: str
    container: str
    command: list[str]
    group: str | None = None  # awslogs group, None without awslogs
    stream: str | None = None

    @property
    def task_id(self) -> str:
        return self.task_arn.rsplit("/", 1)[-1]

    @property
    def revision(self) -> str:
        return self.task_definition.rsplit("/", 1)[-1]


@dataclass
class Result:
    task: OneOff
    exit_code: int | None  # the container's, None when it never ran or was not seen exiting
    reason: str  # stoppedReason (and the container's reason when it has one)
    stop_code: str = ""
    timed_out: bool = False
    last_lines: list[LogLine] = field(default_factory=list)

    @property
    def command_exit(self) -> int:
        """The exit code `run` ends with: the container's, 1 when it has none or we stopped it."""
        if self.timed_out or self.exit_code is None:
            return 1
        return self.exit_code

    def to_json(self) -> dict:
        return {"event": "stopped", "task": self.task.task_arn, "task_id": self.task.task_id, "exit_code": self.exit_code,
                "reason": self.reason, "stop_code": self.stop_code, "timed_out": self.timed_out}


def describe_service(aws, cluster: str, service: str) -> dict:
    label = f"service {service} in cluster {cluster}"
    with aws_call(label, "ecs:DescribeServices"):
        found = aws.client("ecs").describe_services(cluster=cluster, services=[service]).get("services", [])
    active = [s for s in found if s.get("status") == "ACTIVE"]
    if not active:
        raise EcsshipError(f"{label} does not exist", "run `ecsship apply` first: one-off tasks start from the service's task definition")
    return active[0]


TASK_SET_KEYS = ("taskDefinition", "networkConfiguration", "capacityProviderStrategy", "launchType", "platformVersion")


def serving_shape(svc: dict) -> dict:
    """The service as its tasks run: a CODE_DEPLOY (or EXTERNAL) service's tasks come from its PRIMARY
    task set, which carries its own task definition, network and capacity (botocore `ecs TaskSet`)."""
    primary = next((t for t in svc.get("taskSets") or [] if t.get("status") == "PRIMARY"), None)
    if primary is None:
        return svc
    shaped = {k: v for k, v in svc.items() if k not in TASK_SET_KEYS}
    shaped.update({k: primary[k] for k in TASK_SET_KEYS if primary.get(k)})
    return shaped


def describe_definition(aws, arn: str) -> tuple[dict, list[dict]]:
    with aws_call(f"task definition {arn.rsplit('/', 1)[-1]}", "ecs:DescribeTaskDefinition"):
        found = aws.client("ecs").describe_task_definition(taskDefinition=arn, include=["TAGS"])
    return found["taskDefinition"], found.get("tags") or []


def one_off_revision(aws, definition: dict, tags: list[dict], container: str, image: str) -> str:
    """A revision like `definition` with `container`'s image replaced, in the one-off family, tagged
    one-off: the service is never pointed at it."""
    spec = {k: copy.deepcopy(definition[k]) for k in REGISTER_KEYS if definition.get(k) not in (None, [], {})}
    spec["family"] = one_off_family(definition["family"])
    for c in spec["containerDefinitions"]:
        if c.get("name") == container:
            c["image"] = image
    kept = [t for t in tags if not t["key"].startswith("aws:") and t["key"] not in (ONE_OFF_TAG, DEPLOYED_AT, DEPLOYMENT_ID)]
    with aws_call(f"task definition {definition.get('family')}", "ecs:RegisterTaskDefinition"):
        registered = aws.client("ecs").register_task_definition(**spec, tags=kept + [{"key": ONE_OFF_TAG, "value": "true"}])
    return registered["taskDefinition"]["taskDefinitionArn"]


def start(aws, cluster: str, service: str, default_container: str, command: list[str], *, image: str | None = None,
          task_definition: str | None = None, container: str | None = None, started_by: str = "ecsship-run",
          token: str = "", group: str | None = None, size: dict | None = None) -> OneOff:
    """Start one task like the service's, running `command`. `task_definition` (a deploy's new
    revision) wins over the service's; `image` registers a one-off revision when it differs.
    `group`: the task's ECS task group (a job's); `size`: task-level `cpu`/`memory` overrides."""
    from ecsship.aws.retrysafe import client_token

    if not command:
        raise EcsshipError("no command given", "put it after `--`: ecsship run -- bin/migrate up")
    svc = serving_shape(describe_service(aws, cluster, service))
    arn = task_definition or svc["taskDefinition"]
    definition, tags = describe_definition(aws, arn)
    names = [c.get("name") for c in definition.get("containerDefinitions") or []]
    name = container or default_container
    if name not in names:
        raise EcsshipError(f"container {name} is not in task definition {arn.rsplit('/', 1)[-1]} (containers: {', '.join(names)})",
                           "pass --container with one of them")
    current = next(c.get("image") for c in definition["containerDefinitions"] if c.get("name") == name)
    if image and image != current:
        arn = one_off_revision(aws, definition, tags, name, image)
    kwargs: dict = {
        "cluster": cluster, "taskDefinition": arn, "count": 1, "startedBy": started_by[:128],
        "overrides": {"containerOverrides": [{"name": name, "command": list(command)}], **(size or {})},
        "propagateTags": "TASK_DEFINITION", "enableExecuteCommand": bool(svc.get("enableExecuteCommand")),
        "clientToken": client_token(aws, "run", cluster, service, token or " ".join(command)),
    }
    if group:
        kwargs["group"] = group
    if svc.get("networkConfiguration"):
        kwargs["networkConfiguration"] = svc["networkConfiguration"]
    if svc.get("capacityProviderStrategy"):
        kwargs["capacityProviderStrategy"] = svc["capacityProviderStrategy"]
    elif svc.get("launchType"):
        kwargs["launchType"] = svc["launchType"]
    if svc.get("platformVersion"):
        kwargs["platformVersion"] = svc["platformVersion"]
    with aws_call(f"service {service} in cluster {cluster}", "ecs:RunTask"):
        answer = aws.client("ecs").run_task(**kwargs)
    if not answer.get("tasks"):
        failure = (answer.get("failures") or [{}])[0]
        raise EcsshipError(f"RunTask started no task: {failure.get('reason', 'no reason given')} {failure.get('detail', '')}".strip(),
                           "check the cluster's capacity providers and the service's subnets")
    task = answer["tasks"][0]
    logs = awslogs_of(definition, name)
    group, stream = (logs[0], stream_name(logs[1], name, task["taskArn"])) if logs else (None, None)
    return OneOff(cluster, task["taskArn"], arn, name, list(command), group, stream)


def watch(aws, task: OneOff, clock, listener: Listener, timeout: float | None = None) -> Result:
    """Follow the task to STOPPED, passing its log lines and state changes on; on `timeout` stop it
    (StopTask) and report it as timed out whatever its exit code."""
    reader = LogReader(aws, task.group, [task.stream]) if task.group and task.stream else None
    tail: list[LogLine] = []
    start_at = clock.now()
    last_status = ""
    timed_out = False
    stop_deadline = None
    delays = POLL_BACKOFF.delays()
    while True:
        described = _describe_task(aws, task)
        status = described.get("lastStatus", "")
        if status != last_status:
            listener.status(task, status)
            last_status = status
        if reader is not None:
            for line in reader.read():
                tail = (tail + [line])[-LAST_LINES:]
                listener.log(task, line)
        if status == "STOPPED":
            return _result(task, described, timed_out, tail)
        now = clock.now()
        if timeout is not None and not timed_out and now - start_at >= timeout:
            timed_out = True
            stop_deadline = now + STOP_GRACE_SECONDS
            listener.note(f"timed out after {int(timeout)}s: stopping task {task.task_id}", "warning")
            stop(aws, task, f"ecsship: timed out after {int(timeout)}s")
        if stop_deadline is not None and now >= stop_deadline:
            return Result(task, None, f"timed out after {int(timeout or 0)}s; the task is stopping", "UserInitiated", True, tail)
        clock.sleep(next(delays))


def stop(aws, task: OneOff, reason: str) -> None:
    with aws_call(f"task {task.task_id}", "ecs:StopTask"):
        aws.client("ecs").stop_task(cluster=task.cluster, task=task.task_arn, reason=reason[:255])


def _describe_task(aws, task: OneOff) -> dict:
    with aws_call(f"task {task.task_id}", "ecs:DescribeTasks"):
        answer = aws.client("ecs").describe_tasks(cluster=task.cluster, tasks=[task.task_arn])
    found = answer.get("tasks") or []
    if not found:
        # Stopped tasks stay visible for about an hour; gone earlier means we cannot know its end.
        return {"lastStatus": "STOPPED", "stoppedReason": "the task is no longer listed by ECS", "containers": []}
    return found[0]


def _result(task: OneOff, described: dict, timed_out: bool, tail: list[LogLine]) -> Result:
    container = next((c for c in described.get("containers") or [] if c.get("name") == task.container), {})
    reason = described.get("stoppedReason") or ""
    if container.get("reason") and container["reason"] not in reason:
        reason = f"{reason}: {container['reason']}" if reason else container["reason"]
    return Result(task, container.get("exitCode"), reason, described.get("stopCode") or "", timed_out, tail)



def parse_timeout(value: str | None, default: int | None = None) -> int | None:
    from ecsship.errors import UsageError
    from ecsship.manifest.durations import parse_duration

    if value is None:
        return default
    try:
        return parse_duration(int(value) if str(value).isdigit() else value)
    except ValueError as exc:
        raise UsageError(f"--timeout: {exc}") from None
