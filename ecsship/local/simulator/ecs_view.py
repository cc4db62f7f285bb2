"""How the simulated state shows through the ECS API: DescribeServices' deployments, counts, task
sets, events and current revisions are written onto moto's Service object after every tick."""
from __future__ import annotations

from ecsship.local.simulator.ecs_model import ServiceSim


def sync(service, sim: ServiceSim) -> None:
    """Write the simulated state onto moto's Service so DescribeServices reports it."""
    visible = sorted(sim.visible(), key=lambda r: 0 if r.legacy_status == "PRIMARY" else 1)
    service.deployments = [r.legacy_api(counts(sim, rollout_id=r.id)) for r in visible]
    if sim.task_sets:
        _sync_task_sets(service, sim)
    running = sum(1 for t in sim.tasks if t.last_status == "RUNNING")
    pending = sum(1 for t in sim.tasks if t.last_status in ("PROVISIONING", "PENDING") and t.desired_status == "RUNNING")
    service.running_count = running
    service.pending_count = pending
    primary = sim.primary()
    if primary is not None:
        service.task_definition = primary.revision.task_definition
    service.events = list(sim.events)
    deployments = sim.service_deployments()
    if deployments:
        service.current_service_deployment = deployments[-1].arn
    seen, summaries = set(), []
    for rollout in visible:
        if rollout.revision.arn in seen:
            continue
        seen.add(rollout.revision.arn)
        run, pend = counts(sim, revision_arn=rollout.revision.arn)
        summaries.append({"arn": rollout.revision.arn, "requestedTaskCount": rollout.desired_count if rollout.legacy_status == "PRIMARY" else run + pend,
                          "runningTaskCount": run, "pendingTaskCount": pend})
    service.current_service_revisions = summaries


def _sync_task_sets(service, sim: ServiceSim) -> None:
    """CODE_DEPLOY services: DescribeServices shows the task sets, and a deployment entry per task set."""
    service.task_sets = [t for t in sim.task_sets]
    ordered = sorted(sim.task_sets, key=lambda t: {"PRIMARY": 0, "ACTIVE": 1}.get(t.status, 2))
    service.deployments = [{
        "id": t.id, "status": "PRIMARY" if t.status == "PRIMARY" else "ACTIVE", "taskDefinition": t.task_definition,
        "desiredCount": t.computed_desired_count, "pendingCount": t.pending_count, "runningCount": t.running_count,
        "failedTasks": t.failed_tasks, "createdAt": t.created_at, "updatedAt": t.updated_at,
        "launchType": t.launch_type or "FARGATE", "platformVersion": t.platform_version, "platformFamily": "Linux",
        **({"networkConfiguration": t.network_configuration} if t.network_configuration else {}),
    } for t in ordered]
    primary = next((t for t in sim.task_sets if t.status == "PRIMARY"), None)
    if primary is not None:
        service.task_definition = primary.task_definition


def counts(sim: ServiceSim, rollout_id: str | None = None, revision_arn: str | None = None) -> tuple[int, int]:
    running = pending = 0
    for task in sim.tasks:
        if rollout_id is not None and task.ecsship_rollout != rollout_id:
            continue
        if revision_arn is not None and task.ecsship_revision != revision_arn:
            continue
        if task.last_status == "RUNNING":
            running += 1
        elif task.last_status in ("PROVISIONING", "PENDING") and task.desired_status == "RUNNING":
            pending += 1
    return running, pending
