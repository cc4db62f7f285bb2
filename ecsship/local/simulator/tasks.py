"""Simulated ECS tasks: lifecycle over the clock, IPs in the service's subnets, load balancer
targets, health, failure injection.

Lifecycle per the Amazon ECS Developer Guide ("Amazon ECS task lifecycle"): PROVISIONING (ENI
attached) -> PENDING (image pulled) -> RUNNING; stopping goes DEACTIVATING (targets deregistered and
drained) -> STOPPING -> DEPROVISIONING -> STOPPED. Stopped tasks carry stopCode / stoppedReason
(Task data type: EssentialContainerExited, ServiceSchedulerInitiated, UserInitiated) and container
exit codes. Task healthStatus is HEALTHY/UNHEALTHY only when a container defines a health check,
else UNKNOWN (Task.healthStatus).
"""
from __future__ import annotations

import fnmatch
import ipaddress

from moto.ecs.models import Task

from ecsship.local.simulator import task_logs
from ecsship.local.simulator.container_start import StartPlan, plan_start
from ecsship.local.simulator.model_time import ts

PROVISIONING_SECONDS = 4.0
PENDING_SECONDS = 8.0
EXIT_AFTER_RUNNING_SECONDS = 6.0
STOPPING_SECONDS = 3.0
DEPROVISIONING_SECONDS = 3.0
STOPPED_TASK_RETENTION_SECONDS = 3600.0  # ECS lists stopped tasks for about an hour


def image_fails(image: str, pattern: str) -> bool:
    """Failure injection: the image's tag (or the whole reference) matches the glob pattern."""
    if not pattern:
        return False
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else "latest"
    return fnmatch.fnmatchcase(tag, pattern) or fnmatch.fnmatchcase(image, pattern)


class SimTask(Task):
    """A moto Task whose status the simulator drives (moto's own advance-per-describe is disabled)."""

    @property
    def status(self):  # type: ignore[override]
        return self._status

    @status.setter
    def status(self, value):
        self._status = value

    def advance(self) -> None:
        pass


def next_ip(ec2_backend, subnet_id: str) -> str:
    """A free address in the subnet (AWS reserves the first four and the last)."""
    subnet = ec2_backend.get_subnet(subnet_id)
    used = getattr(subnet, "ecsship_used_ips", None)
    if used is None:
        used = subnet.ecsship_used_ips = set()
    network = ipaddress.ip_network(subnet.cidr_block)
    for index, host in enumerate(network.hosts()):
        if index < 3:
            continue
        address = str(host)
        if address not in used:
            used.add(address)
            return address
    raise RuntimeError(f"subnet {subnet_id} is full")


def launch(backend, service, rollout, revision, now: float, subnet_index: int, fail_pattern: str, fail_mode: str,
           target_group_override: str | None = None) -> SimTask:
    """Start one task for a service's rollout (what the ECS service scheduler does)."""
    cluster = backend._get_cluster(service.cluster_name)
    task_definition = backend.describe_task_definition(revision.task_definition)
    network = revision.network_configuration or {}
    awsvpc = dict(network.get("awsvpcConfiguration") or {})
    subnets = list(awsvpc.get("subnets") or [])
    if subnets:
        chosen = subnets[subnet_index % len(subnets)]
        awsvpc["subnets"] = [chosen] + [s for s in subnets if s != chosen]
    task = build(
        backend, cluster, task_definition, awsvpc, now, group=f"service:{service.name}", started_by=rollout.id,
        launch_type=None if revision.capacity_provider_strategy else (revision.launch_type or "FARGATE"),
        platform_version=revision.platform_version,
        capacity_provider_name=(revision.capacity_provider_strategy or [{}])[0].get("capacityProvider"),
        tags=_task_tags(backend, service, task_definition), fail_pattern=fail_pattern,
    )
    checks = [c["healthCheck"] for c in task_definition.container_definitions if c.get("healthCheck")]
    has_container_check = bool(checks)
    task.ecsship_check = {"interval": 30, "retries": 3, "startPeriod": 0, **(checks[0] if checks else {})}
    targets_wanted = bool(revision.load_balancers) and bool(awsvpc.get("subnets"))
    task.ecsship_fail_mode = fail_mode if (fail_mode == "exit" or targets_wanted or has_container_check) else "exit"
    task.ecsship_container_check = has_container_check
    task.ecsship_service = service.name
    task.ecsship_rollout = rollout.id
    task.ecsship_revision = revision.arn
    task.ecsship_target_group_override = target_group_override
    task.enable_execute_command = bool(getattr(service, "enable_execute_command", False))
    return task


def build(backend, cluster, task_definition, awsvpc: dict, now: float, *, group: str, started_by: str,
          launch_type: str | None, platform_version: str | None, capacity_provider_name: str | None,
          tags: list[dict], fail_pattern: str, overrides: dict | None = None) -> SimTask:
    """A task in PROVISIONING with an ENI (and an address) in its first subnet, registered in the
    cluster: what the service scheduler and RunTask both start."""
    from moto.ec2.models import ec2_backends
    from moto.ecs.models import Container

    subnets = list(awsvpc.get("subnets") or [])
    task = SimTask(
        cluster, task_definition, None, None, backend=backend, group=group, launch_type=launch_type,
        overrides=overrides, started_by=started_by,
        networking_configuration={"awsvpcConfiguration": awsvpc} if subnets else None,
        platform_version=platform_version or "1.4.0", capacity_provider_name=capacity_provider_name, tags=tags,
    )
    ec2 = ec2_backends[backend.account_id][cluster.region_name]
    task.ecsship_ip = None
    task.availability_zone = None
    if subnets:
        ip = next_ip(ec2, subnets[0])
        task.ecsship_ip = ip
        task.availability_zone = ec2.get_subnet(subnets[0]).availability_zone
        for attachment in task.attachments:
            for detail in attachment["details"]:
                if detail["name"] == "privateIPv4Address":
                    detail["value"] = ip
                if detail["name"] == "networkInterfaceId":
                    eni = ec2.enis.get(detail["value"])
                    if eni is not None:
                        eni.private_ip_address = ip
                        task.ecsship_eni = eni.id
            attachment["status"] = "PRECREATED"
    start = plan_start(list(task_definition.container_definitions), lambda image: image_fails(image, fail_pattern))
    task.ecsship_failing = start.fails
    task.ecsship_start = start
    task.ecsship_check = {"interval": 30, "retries": 3, "startPeriod": 0}
    task.ecsship_fail_mode = "exit"
    task.ecsship_container_check = False
    task.ecsship_service = None
    task.ecsship_rollout = None
    task.ecsship_targets = []  # (target group arn, target id)
    task.ecsship_target_group_override = None
    task.ecsship_phase_at = now
    task.ecsship_running_at = None
    task.ecsship_counted_failure = False
    task.ecsship_revision = None
    task.last_status = "PROVISIONING"
    task.desired_status = "RUNNING"
    task.health_status = "UNKNOWN"
    task.created_at = ts(now)
    task.version = 1
    task.connectivity = None
    task.platform_family = "Linux"
    task.cpu = task_definition.cpu
    task.memory = task_definition.memory
    task.enable_execute_command = False
    task.stop_code = None
    task.stopped_reason = None
    task.containers = []
    for definition in task_definition.container_definitions:
        container = Container(task_definition)
        container.name = definition.get("name")
        container.image = definition.get("image")
        container.cpu = str(definition.get("cpu", 0))
        container.memory = str(definition["memory"]) if definition.get("memory") else None
        container.last_status = "PENDING"
        container.exitCode = None
        container.health_status = "UNKNOWN"
        container.task_arn = task.task_arn
        container.image_digest = None
        container.network_interfaces = [{"attachmentId": task.attachments[0]["id"], "privateIpv4Address": task.ecsship_ip}] if task.attachments else []
        task.containers.append(container)
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    return task


def _task_tags(backend, service, task_definition) -> list[dict]:
    """propagateTags copies the service's or the task definition's tags onto each task;
    enableECSManagedTags adds aws:ecs:clusterName and aws:ecs:serviceName (ECS Developer Guide,
    "Tagging your Amazon ECS resources")."""
    propagate = getattr(service, "propagate_tags", "NONE") or "NONE"
    tags: list[dict] = []
    if propagate == "SERVICE":
        tags = [dict(t) for t in service.tags or []]
    elif propagate == "TASK_DEFINITION":
        tags = [dict(t) for t in getattr(task_definition, "tags", None) or []]
    if getattr(service, "enable_ecs_managed_tags", False):
        tags += [{"key": "aws:ecs:clusterName", "value": service.cluster_name}, {"key": "aws:ecs:serviceName", "value": service.name}]
    return tags


def set_status(task: SimTask, status: str, now: float) -> None:
    task.last_status = status
    task.ecsship_phase_at = now
    task.version = getattr(task, "version", 1) + 1


def step_alike(backend, task: SimTask, now: float, registry: list) -> bool:
    """The lifecycle steps a service's task and a one-off task take alike; True when `task` was in
    one of them. PROVISIONING -> PENDING (ENI attached); STOPPING -> DEPROVISIONING (containers
    stopped); DEPROVISIONING -> STOPPED (ENI deleted); a STOPPED task is listed for about an hour,
    then dropped from the cluster and from `registry` (the simulator's list it is stepped from)."""
    status, elapsed = task.last_status, now - task.ecsship_phase_at
    if status == "STOPPED":
        if elapsed > STOPPED_TASK_RETENTION_SECONDS:
            backend.tasks.get(task.cluster_name, {}).pop(task.task_arn, None)
            registry.remove(task)
        return True
    if status not in _ALIKE:
        return False
    seconds, following, stamp, attachments = _ALIKE[status]
    if elapsed < seconds:
        return True
    set_status(task, following, now)
    setattr(task, stamp, ts(now))
    for attachment in task.attachments if attachments else ():
        attachment["status"] = attachments
    if following == "DEPROVISIONING":
        for container in task.containers:
            container.last_status = "STOPPED"
            if container.exitCode is None and task.ecsship_running_at is not None:
                container.exitCode = 0  # stopped by the scheduler: the process ended on SIGTERM cleanly
    eni_id = getattr(task, "ecsship_eni", None)
    if following == "STOPPED" and eni_id:
        from moto.ec2.models import ec2_backends

        ec2_backends[backend.account_id][backend.region_name].enis.pop(eni_id, None)
    return True


# The steps every task takes alike: status -> (seconds in it, the next status, the time field set
# then, the ENI attachment's status then: None leaves it).
_ALIKE = {
    "PROVISIONING": (PROVISIONING_SECONDS, "PENDING", "pull_started_at", "ATTACHED"),
    "STOPPING": (STOPPING_SECONDS, "DEPROVISIONING", "execution_stopped_at", None),
    "DEPROVISIONING": (DEPROVISIONING_SECONDS, "STOPPED", "stopped_at", "DELETED"),
}


def start_running(task: SimTask, now: float, digest=lambda image: None) -> None:
    """PENDING -> RUNNING: the image pulled (`digest(image)`: the digest it resolved to), the
    containers started, their first log lines written."""
    set_status(task, "RUNNING", now)
    task.ecsship_running_at = now
    task.started_at = task.pull_stopped_at = task.connectivity_at = ts(now)
    task.connectivity = "CONNECTED"
    start = getattr(task, "ecsship_start", None) or StartPlan()
    for container in task.containers:
        container.image_digest = digest(container.image)
        container.last_status = "PENDING" if container.name in start.blocked else "RUNNING"
    task_logs.containers_started(task, now, skip=start.blocked)
    for container in task.containers:
        if container.name in start.exits:  # run to completion (init containers) or a broken non-essential one
            container.last_status, container.exitCode = "STOPPED", start.exits[container.name]
    task_logs.containers_exited(task, now, only=set(start.exits))


def request_stop(task: SimTask, now: float, reason: str, code: str) -> None:
    """The scheduler (or a user) asks the task to stop: desiredStatus STOPPED, targets drained first."""
    if task.desired_status == "STOPPED":
        return
    task.desired_status = "STOPPED"
    task.stopped_reason = reason
    task.stop_code = code
    task.stopping_at = ts(now)
    task.ecsship_stop_requested_at = now


def is_healthy_for_scheduler(task: SimTask, elbv2_backend) -> bool:
    """RUNNING, every target healthy, and container health HEALTHY when a check is defined."""
    if task.last_status != "RUNNING" or task.desired_status != "RUNNING":
        return False
    if task.ecsship_container_check and task.health_status != "HEALTHY":
        return False
    from ecsship.local.simulator import targets

    for tg_arn, target_id in task.ecsship_targets:
        tg = elbv2_backend.target_groups.get(tg_arn)
        if tg is not None and not targets.in_use(tg):
            # No listener or rule forwards to the group: ELB runs no health checks and reports the
            # target `unused` (Target.NotInUse, ELB API Reference TargetHealth), so ECS has no health
            # to wait for: such a task counts as healthy. A CodeDeploy replacement in a group the
            # listeners do not reference is therefore not health-gated (issue #12 item 14).
            continue
        health = targets.registry(tg).get(target_id) if tg is not None else None
        if health is None or health.state != "healthy":
            return False
    return True

