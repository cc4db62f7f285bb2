"""Entry points the patched ECS API calls: a service is created, a deployment starts."""
from __future__ import annotations

from ecsship.local.simulator.ecs_model import ServiceSim, add_event, new_revision, new_rollout


def attach_service(backend, service, now: float) -> None:
    """A new service: its first deployment (ECS controller) or its first task set (CODE_DEPLOY)."""
    from ecsship.local.simulator.ecs_view import sync

    service.ecsship = ServiceSim()
    controller = (service.deployment_controller or {}).get("type", "ECS")
    if controller == "ECS" and service.task_definition:
        start_deployment(backend, service, now, first=True)
    elif controller == "CODE_DEPLOY" and service.task_definition:
        from ecsship.local.simulator.task_sets import create_initial_task_set

        create_initial_task_set(backend, service, now)
    sync(service, service.ecsship)


def start_deployment(backend, service, now: float, first: bool = False):
    """UpdateService / CreateService: a new PRIMARY deployment of the service's current definition."""
    from ecsship.local.simulator.ecs_view import sync

    sim: ServiceSim = service.ecsship
    previous = sim.primary()
    revision = new_revision(service, backend, service.task_definition, now)
    rollout = new_rollout(service, sim, revision, now)
    if rollout.strategy != "ROLLING":
        lb = (service.load_balancers or [{}])[0]
        primary_tg = lb.get("targetGroupArn")
        alternate = (lb.get("advancedConfiguration") or {}).get("alternateTargetGroupArn")
        if previous is None or previous.target_group_arn is None:
            rollout.target_group_arn = primary_tg
        else:
            serving = previous.target_group_arn if previous.rollout_state == "COMPLETED" else (sim.last_completed(exclude=rollout) or previous).target_group_arn
            rollout.target_group_arn = alternate if serving == primary_tg else primary_tg
        if first:
            rollout.production_weight = 100.0
    if previous is not None and previous.active and previous.rollback_of is None:
        # ECS: a new deployment supersedes an in-progress one; it is reported STOPPED.
        previous.rollout_state = "FAILED" if previous.rollout_state == "IN_PROGRESS" else previous.rollout_state
        previous.rollout_state_reason = f"ECS deployment {previous.id} superseded by {rollout.id}."
        if previous.status in ("PENDING", "IN_PROGRESS"):
            previous.status, previous.status_reason = "STOPPED", "Service deployment superseded by a newer deployment."
            previous.stopped_at = previous.finished_at = now
    add_event(service, sim, now, f"(deployment {rollout.id}) deployment started.") if not first else None
    sync(service, sim)
    return rollout
