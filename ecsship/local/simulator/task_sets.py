"""Task sets of CODE_DEPLOY services, as the ECS scheduler keeps them (Amazon ECS API Reference,
TaskSet data type; Developer Guide, "Blue/green deployment with CodeDeploy"): each task set runs
scale% of the service's desiredCount; a DRAINING one is emptied and then removed."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ecsship.local.simulator import ids
from ecsship.local.simulator import tasks as task_sim
from ecsship.local.simulator.model_time import ts


@dataclass
class TaskSetSim:
    """Shaped like the ECS TaskSet data type; moto's DescribeTaskSets and DescribeServices read it."""

    id: str
    task_set_arn: str
    service_arn: str
    cluster_arn: str
    task_definition: str
    launch_type: str | None
    platform_version: str
    network_configuration: dict | None
    load_balancers: list
    target_group_arn: str | None
    revision_arn: str
    status: str = "ACTIVE"  # PRIMARY | ACTIVE | DRAINING
    external_id: str | None = None
    started_by: str | None = None
    scale: dict = field(default_factory=lambda: {"value": 100.0, "unit": "PERCENT"})
    computed_desired_count: int = 0
    running_count: int = 0
    pending_count: int = 0
    stability_status: str = "STABILIZING"
    failed_tasks: int = 0
    created_at: object = None
    updated_at: object = None
    stability_status_at: object = None
    service_registries: list = field(default_factory=list)
    capacity_provider_strategy: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    platform_family: str = "Linux"


def _new_task_set(backend, service, task_definition: str, target_group: str | None, status: str, now: float, started_by: str | None,
                  network: dict | None = None, capacity: list | None = None):
    """A task set of the service's configuration; `network`/`capacity` (from a CodeDeploy AppSpec)
    replace the service's for this task set (CodeDeploy AppSpec TargetService Properties)."""
    from ecsship.local.simulator.ecs_model import new_revision

    task_set_id = f"ecs-svc/{ids.digits(19)}"
    previous_td = service.task_definition
    service.task_definition = task_definition
    revision = new_revision(service, backend, task_definition, now)
    service.task_definition = previous_td
    if network:
        revision.network_configuration = network
    if capacity:
        revision.capacity_provider_strategy, revision.launch_type = capacity, None
    if target_group is not None:
        for lb in revision.load_balancers:
            lb["targetGroupArn"] = target_group
    service.ecsship.revisions[revision.arn] = revision
    return TaskSetSim(
        id=task_set_id, task_set_arn=f"arn:aws:ecs:{service.region_name}:{backend.account_id}:task-set/{service.cluster_name}/{service.name}/{task_set_id}",
        service_arn=service.arn, cluster_arn=service.cluster_arn, task_definition=task_definition,
        launch_type=revision.launch_type, platform_version=service.platform_version or "LATEST",
        network_configuration=revision.network_configuration, load_balancers=revision.load_balancers,
        target_group_arn=target_group, revision_arn=revision.arn, status=status, started_by=started_by,
        created_at=ts(now), updated_at=ts(now), stability_status_at=ts(now),
        capacity_provider_strategy=list(revision.capacity_provider_strategy or []),
    )


def create_initial_task_set(backend, service, now: float) -> None:
    """CreateService with the CODE_DEPLOY controller: ECS creates the first (PRIMARY) task set."""
    tg = (service.load_balancers or [{}])[0].get("targetGroupArn")
    task_set = _new_task_set(backend, service, service.task_definition, tg, "PRIMARY", now, None)
    service.ecsship.task_sets.append(task_set)


def adopt_ecs_deployment(backend, service, now: float) -> None:
    """UpdateService(deploymentController=CODE_DEPLOY) on an ECS service: its running deployment becomes
    the PRIMARY task set (behind the service's target group) and its tasks keep running in it."""
    from ecsship.local.simulator.ecs_view import sync

    sim = service.ecsship
    primary = sim.primary()
    create_initial_task_set(backend, service, now)
    task_set = sim.task_sets[-1]
    for task in sim.tasks:
        if task.last_status != "STOPPED" and (primary is None or task.ecsship_rollout == primary.id):
            task.ecsship_rollout = task_set.id
    sync(service, sim)


def adopt_task_sets(backend, service, now: float) -> None:
    """UpdateService(deploymentController=ECS) on a CODE_DEPLOY service (ECS Developer Guide, "Migrating
    from a CodeDeploy blue/green to an Amazon ECS blue/green service deployment"): the PRIMARY task set
    becomes the service's completed deployment, behind the target group it served; its tasks keep
    running, and the next deployment goes to the other group of the pair."""
    from ecsship.local.simulator.ecs_model import new_rollout
    from ecsship.local.simulator.ecs_view import sync

    sim = service.ecsship
    primary = next(t for t in sim.task_sets if t.status == "PRIMARY")
    service.task_definition = primary.task_definition
    rollout = new_rollout(service, sim, sim.revisions[primary.revision_arn], now)
    rollout.rollout_state, rollout.status, rollout.lifecycle_stage = "COMPLETED", "SUCCESSFUL", "CLEAN_UP"
    rollout.rollout_state_reason = f"ECS deployment {rollout.id} completed."
    rollout.started_at = rollout.finished_at = rollout.steady_at = now
    rollout.target_group_arn, rollout.production_weight, rollout.test_weight = primary.target_group_arn, 100.0, 100.0
    for task in sim.tasks:
        if task.last_status != "STOPPED" and task.ecsship_rollout == primary.id:
            task.ecsship_rollout = rollout.id
    sim.task_sets.clear()
    service.task_sets = []
    sync(service, sim)


def schedule_task_sets(engine, backend, service, sim, now: float, elbv2) -> None:
    """The ECS scheduler for task sets: each keeps scale% of desiredCount tasks (DRAINING ones none)."""
    for task_set in list(sim.task_sets):
        desired = 0 if task_set.status == "DRAINING" else math.ceil(int(service.desired_count or 0) * float(task_set.scale["value"]) / 100)
        task_set.computed_desired_count = desired
        live = [t for t in sim.tasks if t.ecsship_rollout == task_set.id and t.desired_status == "RUNNING" and t.last_status != "STOPPED"]
        for task in sim.tasks:
            if task.ecsship_rollout == task_set.id and task.ecsship_counted_failure and not getattr(task, "ecsship_failure_booked", False):
                task.ecsship_failure_booked = True
                task_set.failed_tasks += 1
        if len(live) < desired:
            base = len(sim.tasks)
            started = [engine.launch(backend, service, sim, _TaskSetRollout(task_set, sim), now, base + i, target_group=task_set.target_group_arn)
                       for i in range(desired - len(live))]
            if started:
                from ecsship.local.simulator.ecs_model import add_event

                names = " ".join(f"(task {t.task_arn.split('/')[-1]})" for t in started)
                add_event(service, sim, now, f"has started {len(started)} tasks: {names}.")
        elif len(live) > desired:
            engine.stop_tasks(service, sim, live[desired:], now, f"Scaling activity initiated by (deployment {task_set.id})")
        mine = [t for t in sim.tasks if t.ecsship_rollout == task_set.id and t.last_status != "STOPPED"]
        task_set.running_count = sum(1 for t in mine if t.last_status == "RUNNING")
        task_set.pending_count = sum(1 for t in mine if t.last_status in ("PROVISIONING", "PENDING") and t.desired_status == "RUNNING")
        healthy = [t for t in live if task_sim.is_healthy_for_scheduler(t, elbv2)]
        steady = "STEADY_STATE" if len(healthy) == desired and len(live) == desired else "STABILIZING"
        if steady != task_set.stability_status:
            task_set.stability_status, task_set.stability_status_at = steady, ts(now)
        if task_set.status == "DRAINING" and not mine:
            sim.task_sets.remove(task_set)


def task_sets_busy(service) -> bool:
    sim = service.ecsship
    return any(ts_.status == "DRAINING" or ts_.stability_status != "STEADY_STATE" for ts_ in sim.task_sets)


class _TaskSetRollout:
    """What tasks.launch needs from a deployment: an id (the task set's) and its revision."""

    def __init__(self, task_set: TaskSetSim, sim):
        self.id = task_set.id
        self.revision = sim.revisions[task_set.revision_arn]
