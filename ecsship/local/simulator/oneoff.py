"""RunTask: one-off tasks that run to completion over simulated time (moto starts them RUNNING,
steps one state per DescribeTasks call and never reports a non-zero exit code).

Lifecycle (Amazon ECS Developer Guide, "Amazon ECS task lifecycle"): PROVISIONING (ENI attached) ->
PENDING (image pulled) -> RUNNING -> (essential container exits) DEACTIVATING -> STOPPING ->
DEPROVISIONING -> STOPPED, with stopCode EssentialContainerExited and stoppedReason "Essential
container in task exited" (Task.stopCode, Task.stoppedReason in the ECS API Reference).

The outcome rule (documented in docs/local.md, so tests and demos can script it):
- a command whose last argument ends with `exit N` (e.g. `sh -c "exit 3"`) exits N;
- else an image whose tag matches the fail pattern (`--fail-images`, default `*broken*`) exits 1;
- else the container exits 0.
- An ECR image of this account whose repository exists but has no such tag cannot be pulled: the
  task goes from PENDING to STOPPED with stopCode TaskFailedToStart, stoppedReason
  "CannotPullContainerError: ..." and no exit code ("Amazon ECS stopped task error messages").
- StopTask while it runs: stopCode UserInitiated; the simulated process exits on SIGTERM at once
  (exit code 143 = 128 + 15), as a process without a SIGTERM handler does.
"""
from __future__ import annotations

import re

from ecsship.local.simulator import task_logs
from ecsship.local.simulator import tasks as task_sim
from ecsship.local.simulator.model_time import ts

EXIT_COMMAND = re.compile(r"exit\s+(\d+)\s*$")
SIGTERM_EXIT_CODE = 143


def exit_code_for(command: list[str], images: list[str], fail_pattern: str) -> int:
    """The outcome rule above, for the essential container's command and the task's images."""
    if command:
        match = EXIT_COMMAND.search(command[-1])
        if match:
            return int(match.group(1)) % 256
    if any(task_sim.image_fails(image, fail_pattern) for image in images):
        return 1
    return 0


def _registry(backend) -> list:
    found = getattr(backend, "ecsship_oneoff", None)
    if found is None:
        found = backend.ecsship_oneoff = []
    return found


def start_tasks(backend, params: dict, now: float, fail_pattern: str) -> list:
    """RunTask for a task definition (Fargate, awsvpc): `count` tasks in PROVISIONING."""
    from moto.ecs.exceptions import InvalidParameterException

    cluster = backend._get_cluster(params.get("cluster") or "default")
    task_definition = backend.describe_task_definition(params["taskDefinition"])
    launch_type = params.get("launchType")
    capacity = params.get("capacityProviderStrategy") or []
    if launch_type and capacity:
        raise InvalidParameterException("Specify either Launch Type or Capacity Provider Strategy, but not both.")
    if not launch_type and not capacity:
        capacity = cluster.default_capacity_provider_strategy or []
        launch_type = None if capacity else "EC2"
    awsvpc = dict((params.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {})
    if task_definition.network_mode == "awsvpc" and not awsvpc.get("subnets"):
        raise InvalidParameterException("Network Configuration must be provided when networkMode 'awsvpc' is specified.")
    count = int(params.get("count") or 1)
    if not 1 <= count <= 10:
        raise InvalidParameterException("count must be between 1 and 10.")
    started = []
    for _ in range(count):
        task = task_sim.build(
            backend, cluster, task_definition, awsvpc, now, group=params.get("group") or f"family:{task_definition.family}",
            started_by=params.get("startedBy") or "", launch_type=launch_type, platform_version=params.get("platformVersion"),
            capacity_provider_name=capacity[0].get("capacityProvider") if capacity else None,
            tags=list(params.get("tags") or []), fail_pattern=fail_pattern, overrides=params.get("overrides") or {},
        )
        task.enable_execute_command = bool(params.get("enableExecuteCommand", False))
        task.ecsship_oneoff = True
        definitions = task_definition.container_definitions
        essential = next((d for d in definitions if d.get("essential", True)), definitions[0])
        task.ecsship_exit_code = exit_code_for(task_logs.command_of(task, essential.get("name") or "", essential),
                                               [d.get("image") or "" for d in definitions], fail_pattern)
        task.ecsship_images = [d.get("image") or "" for d in definitions]
        _registry(backend).append(task)
        started.append(task)
    return started


def _pull_error(backend, images: list[str]) -> str | None:
    """CannotPullContainerError for an image of this account's ECR whose repository lacks the tag."""
    from moto.ecr.models import ecr_backends

    registry = f"{backend.account_id}.dkr.ecr.{backend.region_name}.amazonaws.com/"
    ecr = ecr_backends[backend.account_id][backend.region_name]
    for image in images:
        if not image.startswith(registry) or "@" in image:
            continue
        repository, _, tag = image[len(registry):].partition(":")
        repo = ecr.repositories.get(repository)
        if repo is None:
            return f"CannotPullContainerError: pull image manifest has been retried 5 time(s): {image}: not found"
        if not any((tag or "latest") in (i.image_tags or []) or i.image_tag == (tag or "latest") for i in repo.images):
            return f"CannotPullContainerError: pull image manifest has been retried 5 time(s): {image}: not found"
    return None


def busy(backend) -> bool:
    return any(t.last_status != "STOPPED" for t in _registry(backend))


def step(backend, now: float) -> None:
    for task in list(_registry(backend)):
        _step_task(backend, task, now)


def _step_task(backend, task, now: float) -> None:
    status = task.last_status
    if task.desired_status == "STOPPED" and status in ("PROVISIONING", "PENDING", "RUNNING"):
        if status == "RUNNING":
            _exit(task, SIGTERM_EXIT_CODE, now)
        task_sim.set_status(task, "STOPPING", now)
        for container in task.containers:
            container.last_status = "STOPPED"
        return
    if task_sim.step_alike(backend, task, now, _registry(backend)):
        return
    elapsed = now - task.ecsship_phase_at
    if status == "PENDING" and elapsed >= task_sim.PENDING_SECONDS:
        pull_error = _pull_error(backend, task.ecsship_images)  # the image is pulled now, not at RunTask
        if pull_error:
            task_sim.request_stop(task, now, pull_error, "TaskFailedToStart")
            for container in task.containers:
                container.last_status = "STOPPED"
                container.reason = pull_error
            task_sim.set_status(task, "DEPROVISIONING", now)
            return
        task_sim.start_running(task, now)
    elif status == "RUNNING" and elapsed >= task_sim.EXIT_AFTER_RUNNING_SECONDS:
        _exit(task, task.ecsship_exit_code, now)
        task_sim.request_stop(task, now, "Essential container in task exited", "EssentialContainerExited")
        task_sim.set_status(task, "DEACTIVATING", now)
    elif status == "DEACTIVATING":
        task_sim.set_status(task, "STOPPING", now)


def _exit(task, code: int, now: float) -> None:
    """The essential container's process ends with `code`; the others are stopped with it."""
    for index, container in enumerate(task.containers):
        container.exitCode = code if index == 0 else SIGTERM_EXIT_CODE
        container.last_status = "STOPPED"
    task.execution_stopped_at = ts(now)
    task_logs.containers_exited(task, now)


def install(Response) -> None:
    """Route RunTask through the simulator (the Response method, so every parameter is seen)."""
    from moto.core.responses import ActionResult

    from ecsship.local import runtime

    def run_task(self):
        simulator = runtime.simulator
        fail_pattern = simulator.fail_images if simulator is not None else ""
        params = {name: self._get_param(name) for name in (
            "cluster", "taskDefinition", "count", "overrides", "startedBy", "tags", "launchType", "networkConfiguration",
            "group", "platformVersion", "capacityProviderStrategy", "enableExecuteCommand")}
        started = start_tasks(self.ecs_backend, params, runtime.now(), fail_pattern)
        return ActionResult({"tasks": started, "failures": []})

    Response.run_task = run_task
