"""The stability window: a rollout ECS calls complete is watched a while longer for crash loops.

ECS's deployment circuit breaker counts a task as failed only while it fails to reach RUNNING
(stage 1) or fails its health checks (stage 2, skipped when the service has neither a load balancer
nor a container health check): "How the Amazon ECS deployment circuit breaker detects failures",
Amazon ECS Developer Guide; containers-roadmap#1206. A revision whose tasks reach RUNNING and then
exit is therefore a COMPLETED deployment while the service has no running task. So after ECS reports
completion, `deploy` watches the new revision's tasks for `deploy.stability_window`: a task of it
that stops with stopCode EssentialContainerExited (botocore ecs Task.stopCode) in that window fails
the deployment.
"""
from __future__ import annotations

from dataclasses import dataclass

from ecsship.aws.errors import aws_call
from ecsship.deploy.clock import Clock
from ecsship.deploy.names import short_id

POLL_SECONDS = 10.0
ESSENTIAL_EXIT = "EssentialContainerExited"


@dataclass(frozen=True)
class CrashedTask:
    task_id: str
    reason: str           # the task's stoppedReason
    container: str
    exit_code: int | None

    def describe(self) -> str:
        code = f"exit code {self.exit_code}" if self.exit_code is not None else "no exit code"
        return f"task {self.task_id} stopped: {self.reason} (container {self.container}, {code})"


def crashed(task: dict) -> CrashedTask | None:
    """The task as a crash when an essential container exited, else None (a scale-in, a user stop)."""
    if task.get("stopCode") != ESSENTIAL_EXIT:
        return None
    containers = task.get("containers") or []
    exited = next((c for c in containers if c.get("exitCode") not in (None, 0)), containers[0] if containers else {})
    return CrashedTask(short_id(task.get("taskArn", "")), task.get("stoppedReason") or ESSENTIAL_EXIT,
                       exited.get("name", "?"), exited.get("exitCode"))


class StabilityWatch:
    """Polls the service's stopped tasks of `task_definition` until `window` seconds have passed."""

    def __init__(self, ecs, cluster: str, service: str, task_definition: str, clock: Clock, label: str = ""):
        self.ecs, self.cluster, self.service, self.td, self.clock = ecs, cluster, service, task_definition, clock
        self.label = label or f"service {service}"

    def _stopped(self) -> dict[str, dict]:
        arns: list[str] = []
        token = None
        while True:  # every page: ListTasks may answer a short page with a nextToken
            kwargs = {"nextToken": token} if token else {}
            with aws_call(self.label, "ecs:ListTasks"):
                page = self.ecs.list_tasks(cluster=self.cluster, serviceName=self.service, desiredStatus="STOPPED", **kwargs)
            arns.extend(page.get("taskArns", []))
            token = page.get("nextToken")
            if not token:
                break
        tasks: dict[str, dict] = {}
        for i in range(0, len(arns), 100):  # DescribeTasks takes at most 100 tasks
            with aws_call(self.label, "ecs:DescribeTasks"):
                found = self.ecs.describe_tasks(cluster=self.cluster, tasks=arns[i:i + 100]).get("tasks", [])
            tasks.update({t["taskArn"]: t for t in found if t.get("taskDefinitionArn") == self.td})
        return tasks

    def run(self, window: float) -> CrashedTask | None:
        """The first crash of a task that stopped within the window, or None when it stayed stable.
        Tasks already stopped when the window opens are not counted (ECS keeps them listed for an hour)."""
        seen = {arn for arn, task in self._stopped().items() if task.get("lastStatus") == "STOPPED"}
        start = self.clock.now()
        while True:
            left = window - (self.clock.now() - start)
            self.clock.sleep(max(1.0, min(POLL_SECONDS, left)))
            for arn, task in self._stopped().items():
                if arn in seen:
                    continue
                crash = crashed(task)
                if crash is not None:
                    return crash
                if task.get("lastStatus") == "STOPPED":  # its stopCode is final now
                    seen.add(arn)
            if self.clock.now() - start >= window:
                return None
