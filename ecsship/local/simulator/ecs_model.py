"""The state the simulator keeps per ECS service, and how it shows through the ECS API.

Shapes follow the Amazon ECS API Reference data types: Deployment (the `deployments` of
DescribeServices), ServiceDeployment / ServiceDeploymentBrief (DescribeServiceDeployments,
ListServiceDeployments), ServiceRevision (DescribeServiceRevisions), ServiceEvent.
One `Rollout` is one ECS deployment: it appears both as a legacy Deployment entry and as a
ServiceDeployment. A rollback started by the circuit breaker or an alarm is a new legacy Deployment
(PRIMARY, the previous task definition) while the failed ServiceDeployment goes
ROLLBACK_IN_PROGRESS -> ROLLBACK_SUCCESSFUL, as ECS reports it.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

from ecsship.local.simulator import ids
from ecsship.local.simulator.model_time import ts

MAX_EVENTS = 100
SD_IN_PROGRESS = {"PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"}


def circuit_breaker_threshold(desired_count: int) -> int:
    """ECS: the failure threshold is 0.5 x desired count, at least 3 and at most 200
    (Amazon ECS Developer Guide, "How the Amazon ECS deployment circuit breaker detects failures")."""
    return min(200, max(3, math.ceil(desired_count * 0.5)))


@dataclass
class Revision:
    """ServiceRevision: what a deployment runs (task definition, network, load balancers)."""

    arn: str
    service_arn: str
    cluster_arn: str
    task_definition: str
    launch_type: str | None
    capacity_provider_strategy: list | None
    platform_version: str | None
    load_balancers: list
    service_registries: list
    network_configuration: dict | None
    container_images: list
    created_at: float

    def to_api(self) -> dict:
        out: dict[str, Any] = {
            "serviceRevisionArn": self.arn, "serviceArn": self.service_arn, "clusterArn": self.cluster_arn,
            "taskDefinition": self.task_definition, "platformVersion": self.platform_version or "LATEST",
            "platformFamily": "Linux", "loadBalancers": copy.deepcopy(self.load_balancers),
            "serviceRegistries": copy.deepcopy(self.service_registries), "containerImages": copy.deepcopy(self.container_images),
            "guardDutyEnabled": False, "createdAt": ts(self.created_at),
        }
        if self.network_configuration:
            out["networkConfiguration"] = copy.deepcopy(self.network_configuration)
        if self.capacity_provider_strategy:
            out["capacityProviderStrategy"] = copy.deepcopy(self.capacity_provider_strategy)
        else:
            out["launchType"] = self.launch_type or "FARGATE"
        return out


@dataclass
class Rollout:
    id: str
    arn: str
    revision: Revision
    sources: list[Revision]
    desired_count: int
    deployment_configuration: dict
    created_at: float
    legacy_status: str = "PRIMARY"  # PRIMARY | ACTIVE | INACTIVE (removed from `deployments`)
    rollout_state: str = "IN_PROGRESS"  # COMPLETED | FAILED | IN_PROGRESS
    rollout_state_reason: str = ""
    status: str = "PENDING"  # ServiceDeploymentStatus
    status_reason: str | None = None
    lifecycle_stage: str = "RECONCILE_SERVICE"
    stage_started_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    stopped_at: float | None = None
    updated_at: float = 0.0
    failed_tasks: int = 0
    rollback: dict | None = None
    rollback_of: "Rollout | None" = None  # set on the legacy deployment a rollback started
    in_sd_api: bool = True  # rollbacks appear only as legacy deployments
    steady_at: float | None = None
    triggered_alarms: list[str] = field(default_factory=list)
    circuit_breaker_tripped: bool = False
    # ECS-native blue/green: where this revision's tasks register, and the traffic it gets
    target_group_arn: str | None = None
    production_weight: float = 0.0
    test_weight: float = 0.0
    next_shift_at: float = 0.0
    hook_details: dict = field(default_factory=dict)  # (hook index, stage[, shift step]) -> DeploymentLifecycleHookDetail

    @property
    def strategy(self) -> str:
        return (self.deployment_configuration.get("strategy") or "ROLLING").upper()

    @property
    def circuit_breaker(self) -> dict:
        return self.deployment_configuration.get("deploymentCircuitBreaker") or {"enable": False, "rollback": False}

    @property
    def alarms(self) -> dict:
        return self.deployment_configuration.get("alarms") or {"alarmNames": [], "enable": False, "rollback": False}

    @property
    def active(self) -> bool:
        return self.rollout_state == "IN_PROGRESS"

    def legacy_api(self, counts: tuple[int, int]) -> dict:
        running, pending = counts
        revision = self.revision
        out = {
            "id": self.id, "status": self.legacy_status, "taskDefinition": revision.task_definition,
            "desiredCount": self.desired_count, "pendingCount": pending, "runningCount": running,
            "failedTasks": self.failed_tasks, "createdAt": ts(self.created_at), "updatedAt": ts(self.updated_at),
            "platformVersion": revision.platform_version or "1.4.0", "platformFamily": "Linux",
            "rolloutState": self.rollout_state, "rolloutStateReason": self.rollout_state_reason,
        }
        if revision.network_configuration:
            out["networkConfiguration"] = copy.deepcopy(revision.network_configuration)
        if revision.capacity_provider_strategy:
            out["capacityProviderStrategy"] = copy.deepcopy(revision.capacity_provider_strategy)
        else:
            out["launchType"] = revision.launch_type or "FARGATE"
        return out


@dataclass
class ServiceSim:
    """Everything the simulator knows about one service beyond moto's Service object."""

    rollouts: list[Rollout] = field(default_factory=list)  # oldest first
    revisions: dict[str, Revision] = field(default_factory=dict)
    tasks: list = field(default_factory=list)  # SimTask, every task this service started
    events: list[dict] = field(default_factory=list)  # newest first
    steady_announced: bool = False
    target_events: dict = field(default_factory=dict)
    task_sets: list = field(default_factory=list)  # CODE_DEPLOY services: TaskSetSim  # (verb, target group) -> count, flushed each tick
    last_steady_event_at: float | None = None

    def primary(self) -> Rollout | None:
        for rollout in reversed(self.rollouts):
            if rollout.legacy_status == "PRIMARY":
                return rollout
        return None

    def visible(self) -> list[Rollout]:
        return [r for r in self.rollouts if r.legacy_status in ("PRIMARY", "ACTIVE")]

    def last_completed(self, exclude: Rollout | None = None) -> Rollout | None:
        for rollout in reversed(self.rollouts):
            if rollout is not exclude and rollout.rollout_state == "COMPLETED":
                return rollout
        return None

    def service_deployments(self) -> list[Rollout]:
        return [r for r in self.rollouts if r.in_sd_api]


def add_event(service, sim: ServiceSim, now: float, message: str) -> None:
    sim.events.insert(0, {"id": ids.uuid(), "createdAt": ts(now), "message": f"(service {service.name}) {message}"})
    del sim.events[MAX_EVENTS:]


def new_revision(service, backend, task_definition_arn: str, now: float) -> Revision:
    region, account = service.region_name, backend.account_id
    arn = f"arn:aws:ecs:{region}:{account}:service-revision/{service.cluster_name}/{service.name}/{ids.digits(19)}"
    images = []
    try:
        task_definition = backend.describe_task_definition(task_definition_arn)
        for container in task_definition.container_definitions:
            images.append({"containerName": container.get("name"), "image": container.get("image"),
                           "imageDigest": image_digest(service, container.get("image") or "")})
    except Exception:  # a deregistered or odd task definition: no images listed
        pass
    revision = Revision(
        arn=arn, service_arn=service.arn, cluster_arn=service.cluster_arn, task_definition=task_definition_arn,
        launch_type=service.launch_type, capacity_provider_strategy=copy.deepcopy(getattr(service, "capacity_provider_strategy", None)),
        platform_version=service.platform_version, load_balancers=copy.deepcopy(service.load_balancers),
        service_registries=copy.deepcopy(service.service_registries),
        network_configuration=copy.deepcopy(service.network_configuration) or None, container_images=images, created_at=now,
    )
    return revision


def image_digest(service, image: str) -> str | None:
    """The digest ECR holds for an image reference (repo:tag in this account), if any."""
    if ".dkr.ecr." not in image or ":" not in image.rsplit("/", 1)[-1]:
        return None
    try:
        from moto.ecr.models import ecr_backends

        name_tag = image.split("/", 1)[1]
        repository, tag = name_tag.rsplit(":", 1)
        backend = ecr_backends[service._account_id][service.region_name]
        repo = backend.repositories.get(repository)
        if repo is None:
            return None
        for ecr_image in repo.images:
            if tag in (ecr_image.image_tags or []) or ecr_image.image_tag == tag:
                return ecr_image.image_digest
    except Exception:
        return None
    return None


def new_rollout(service, sim: ServiceSim, revision: Revision, now: float, in_sd_api: bool = True) -> Rollout:
    cluster = service.cluster_name
    arn = f"arn:aws:ecs:{service.region_name}:{service._account_id}:service-deployment/{cluster}/{service.name}/{ids.token(22)}"
    sources = []
    seen = set()
    for rollout in sim.visible():
        if rollout.revision.arn not in seen:
            sources.append(rollout.revision)
            seen.add(rollout.revision.arn)
    rollout = Rollout(
        id=ids.ecs_deployment_id(), arn=arn, revision=revision, sources=sources,
        desired_count=service.desired_count, deployment_configuration=copy.deepcopy(service.deployment_configuration),
        created_at=now, updated_at=now, stage_started_at=now, in_sd_api=in_sd_api,
    )
    rollout.rollout_state_reason = f"ECS deployment {rollout.id} in progress."
    for previous in sim.rollouts:
        if previous.legacy_status == "PRIMARY":
            previous.legacy_status = "ACTIVE"
    sim.revisions[revision.arn] = revision
    sim.rollouts.append(rollout)
    return rollout
