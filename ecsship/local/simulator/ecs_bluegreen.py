"""ECS-native BLUE_GREEN, CANARY and LINEAR deployments (deploymentConfiguration.strategy).

Follows the Amazon ECS Developer Guide ("Amazon ECS blue/green deployments", "Amazon ECS canary
deployments", "Amazon ECS linear deployments", "Deployment lifecycle stages") and the
ServiceDeployment / ServiceRevisionSummary data types: the new (green) revision is started in full
on the alternate target group (SCALE_UP); the test listener rule is pointed at it
(TEST_TRAFFIC_SHIFT); the production listener rule's weights move to it - all at once, or
canaryPercent then the rest after canaryBakeTimeInMinutes, or stepPercent every
stepBakeTimeInMinutes (PRODUCTION_TRAFFIC_SHIFT, with PRE_PRODUCTION_TRAFFIC_SHIFT hooks invoked
before every step); after bakeTimeInMinutes (BAKE_TIME) the blue
revision's tasks are stopped (CLEAN_UP). A rollback (circuit breaker, alarm, StopServiceDeployment)
shifts both rules back to blue and stops the green tasks. Target groups alternate between
deployments: the next one starts on whichever group is not serving.
"""
from __future__ import annotations

from ecsship.local.simulator import tasks as task_sim


def _advanced(service) -> dict:
    return ((service.load_balancers or [{}])[0].get("advancedConfiguration")) or {}


def set_rule_weights(elbv2, rule_arn: str | None, weights: dict[str, float]) -> None:
    if not rule_arn:
        return
    from moto.elbv2.models import FakeAction

    from ecsship.local.fidelity.elbv2 import relink

    rules = elbv2.describe_rules(listener_arn=None, rule_arns=[rule_arn])
    if not rules:
        return
    rule = rules[0]
    groups = [{"TargetGroupArn": arn, "Weight": int(round(weight))} for arn, weight in weights.items()]
    rule.actions = [FakeAction({"Type": "forward", "ForwardConfig": {"TargetGroups": groups}})]
    relink(elbv2)


def _weights(blue: str | None, green: str, green_weight: float) -> dict[str, float]:
    if blue is None or blue == green:
        return {green: 100.0}
    return {blue: 100.0 - green_weight, green: green_weight}


def _keep_tasks(engine, backend, service, sim, rollout, now) -> list:
    desired = int(service.desired_count or 0)
    rollout.desired_count = desired
    live = [t for t in sim.tasks if t.ecsship_rollout == rollout.id and t.desired_status == "RUNNING" and t.last_status != "STOPPED"]
    can_launch = rollout.active or rollout.rollback_of is not None
    if len(live) < desired and can_launch:
        base = len(sim.tasks)
        started = [engine.launch(backend, service, sim, rollout, now, base + i, target_group=rollout.target_group_arn) for i in range(desired - len(live))]
        from ecsship.local.simulator.ecs_model import add_event

        names = " ".join(f"(task {t.task_arn.split('/')[-1]})" for t in started)
        add_event(service, sim, now, f"has started {len(started)} tasks: {names}.")
        live += started
    elif len(live) > desired:
        engine.stop_tasks(service, sim, live[desired:], now, f"Scaling activity initiated by (deployment {rollout.id})")
        live = live[:desired]
    return live


def _stage(rollout, stage: str, now: float) -> None:
    if rollout.lifecycle_stage != stage:
        rollout.lifecycle_stage = stage
        rollout.stage_started_at = now
        rollout.updated_at = now


def hooks_allow(rollout, hook_stage: str, now: float, step: object = None) -> bool:
    """Lifecycle hooks of `hook_stage` (deploymentConfiguration.lifecycleHooks). A PAUSE hook holds
    the deployment with status AWAITING_ACTION until ContinueServiceDeployment (or its timeout and
    timeoutAction); an AWS_LAMBDA hook is reported SUCCEEDED at once (the local AWS runs no Lambda).
    Amazon ECS API Reference: DeploymentLifecycleHook, DeploymentLifecycleHookDetail,
    ContinueServiceDeployment. `step`: a stage invoked more than once in one deployment (each
    traffic shift step of a canary or linear one) is a new invocation, with its own hook id."""
    from ecsship.local.simulator import ids
    from ecsship.local.simulator.model_time import ts

    allowed = True
    for index, hook in enumerate(rollout.deployment_configuration.get("lifecycleHooks") or []):
        if hook_stage not in (hook.get("lifecycleStages") or []):
            continue
        key = (index, hook_stage) if step is None else (index, hook_stage, step)
        detail = rollout.hook_details.get(key)
        timeout = hook.get("timeoutConfiguration") or {}
        if detail is None:
            kind = hook.get("targetType") or ("AWS_LAMBDA" if hook.get("hookTargetArn") else "PAUSE")
            detail = {"hookId": ids.token(22), "targetType": kind, "status": "SUCCEEDED" if kind == "AWS_LAMBDA" else "AWAITING_ACTION"}
            if hook.get("hookTargetArn"):
                detail["targetArn"] = hook["hookTargetArn"]
            if timeout.get("timeoutInMinutes"):
                detail["expiresAt"] = ts(now + int(timeout["timeoutInMinutes"]) * 60)
                detail["timeoutAction"] = timeout.get("action", "ROLLBACK")
                detail["_expires"] = now + int(timeout["timeoutInMinutes"]) * 60
            rollout.hook_details[key] = detail
            rollout.updated_at = now
        if detail["status"] == "AWAITING_ACTION" and detail.get("_expires") is not None and now >= detail["_expires"]:
            detail["status"] = "TIMED_OUT"
            if detail.get("timeoutAction") == "ROLLBACK":
                rollout.status = "ROLLBACK_REQUESTED"
        if detail["status"] == "AWAITING_ACTION" or (detail["status"] == "TIMED_OUT" and detail.get("timeoutAction") == "ROLLBACK"):
            allowed = False
    return allowed


def step_bluegreen(engine, backend, service, sim, rollout, now, elbv2) -> None:
    advanced = _advanced(service)
    blue = sim.last_completed(exclude=rollout)
    blue_tg = blue.target_group_arn if blue is not None else None
    desired = int(service.desired_count or 0)
    rollout.desired_count = desired
    others = [t for t in sim.tasks if t.ecsship_rollout != rollout.id and t.desired_status == "RUNNING" and t.last_status != "STOPPED"]

    if rollout.rollback_of is not None or blue is None:
        # First deployment, or a rollback: this revision takes all traffic and the others go.
        live = _keep_tasks(engine, backend, service, sim, rollout, now)
        healthy = [t for t in live if task_sim.is_healthy_for_scheduler(t, elbv2)]
        if rollout.rollback_of is not None:
            set_rule_weights(elbv2, advanced.get("productionListenerRule"), _weights(rollout.rollback_of.target_group_arn, rollout.target_group_arn, 100.0))
            set_rule_weights(elbv2, advanced.get("testListenerRule"), _weights(rollout.rollback_of.target_group_arn, rollout.target_group_arn, 100.0))
        rollout.production_weight = rollout.test_weight = 100.0
        if others:
            engine.stop_tasks(service, sim, others, now, f"Scaling activity initiated by (deployment {rollout.id})")
        leftovers = [t for t in sim.tasks if t.ecsship_rollout != rollout.id and t.last_status != "STOPPED"]
        if rollout.active and len(healthy) == desired and len(live) == desired and not leftovers:
            _stage(rollout, "CLEAN_UP", now)
            engine.complete(service, sim, rollout, now)
        return
    if not rollout.active or rollout.status != "IN_PROGRESS":
        return
    config = rollout.deployment_configuration
    stage = rollout.lifecycle_stage
    if stage == "RECONCILE_SERVICE":
        if not hooks_allow(rollout, "RECONCILE_SERVICE", now):
            return
        _stage(rollout, "PRE_SCALE_UP", now)
        stage = "PRE_SCALE_UP"
    if stage == "PRE_SCALE_UP":
        if not hooks_allow(rollout, "PRE_SCALE_UP", now):
            return
        _stage(rollout, "SCALE_UP", now)
        stage = "SCALE_UP"
    live = _keep_tasks(engine, backend, service, sim, rollout, now)
    healthy = [t for t in live if task_sim.is_healthy_for_scheduler(t, elbv2)]
    if stage == "SCALE_UP":
        if len(healthy) < desired:
            return
        _stage(rollout, "POST_SCALE_UP", now)
        stage = "POST_SCALE_UP"
    if stage == "POST_SCALE_UP":
        if not hooks_allow(rollout, "POST_SCALE_UP", now):
            return
        _stage(rollout, "TEST_TRAFFIC_SHIFT", now)
        set_rule_weights(elbv2, advanced.get("testListenerRule"), _weights(blue_tg, rollout.target_group_arn, 100.0))
        rollout.test_weight = 100.0
        stage = "TEST_TRAFFIC_SHIFT"
    if stage == "TEST_TRAFFIC_SHIFT":
        if not hooks_allow(rollout, "TEST_TRAFFIC_SHIFT", now):
            return
        _stage(rollout, "POST_TEST_TRAFFIC_SHIFT", now)
        stage = "POST_TEST_TRAFFIC_SHIFT"
    if stage == "POST_TEST_TRAFFIC_SHIFT":
        if not hooks_allow(rollout, "POST_TEST_TRAFFIC_SHIFT", now) or not hooks_allow(rollout, "PRE_PRODUCTION_TRAFFIC_SHIFT", now):
            return
        _stage(rollout, "PRODUCTION_TRAFFIC_SHIFT", now)
        rollout.next_shift_at = now
        stage = "PRODUCTION_TRAFFIC_SHIFT"
    if stage == "PRODUCTION_TRAFFIC_SHIFT":
        if rollout.production_weight < 100.0:
            if now < rollout.next_shift_at:
                return
            # botocore ecs DeploymentLifecycleHook.lifecycleStages: PRE_PRODUCTION_TRAFFIC_SHIFT
            # "Occurs before production traffic shift. For linear and canary deployments, this stage
            # is invoked before every traffic shift step." (The first step's invocation is above.)
            if rollout.production_weight > 0 and not hooks_allow(rollout, "PRE_PRODUCTION_TRAFFIC_SHIFT", now, step=rollout.production_weight):
                return
            _shift_production(rollout, config, now)
            set_rule_weights(elbv2, advanced.get("productionListenerRule"), _weights(blue_tg, rollout.target_group_arn, rollout.production_weight))
            rollout.updated_at = now
            if rollout.production_weight < 100.0:
                return
        if not hooks_allow(rollout, "PRODUCTION_TRAFFIC_SHIFT", now):
            return
        _stage(rollout, "POST_PRODUCTION_TRAFFIC_SHIFT", now)
        stage = "POST_PRODUCTION_TRAFFIC_SHIFT"
    if stage == "POST_PRODUCTION_TRAFFIC_SHIFT":
        if not hooks_allow(rollout, "POST_PRODUCTION_TRAFFIC_SHIFT", now):
            return
        _stage(rollout, "BAKE_TIME", now)
        stage = "BAKE_TIME"
    if stage == "BAKE_TIME":
        if now - rollout.stage_started_at < int(config.get("bakeTimeInMinutes") or 0) * 60:
            return
        _stage(rollout, "CLEAN_UP", now)
        engine.stop_tasks(service, sim, others, now, f"Scaling activity initiated by (deployment {rollout.id})")
        engine.complete(service, sim, rollout, now)


def _shift_production(rollout, config: dict, now: float) -> None:
    strategy = rollout.strategy
    if strategy == "CANARY":
        canary = config.get("canaryConfiguration") or {}
        if rollout.production_weight == 0:
            rollout.production_weight = float(canary.get("canaryPercent", 10.0))
            rollout.next_shift_at = now + int(canary.get("canaryBakeTimeInMinutes", 0)) * 60
        else:
            rollout.production_weight = 100.0
    elif strategy == "LINEAR":
        linear = config.get("linearConfiguration") or {}
        rollout.production_weight = min(100.0, rollout.production_weight + float(linear.get("stepPercent", 10.0)))
        rollout.next_shift_at = now + int(linear.get("stepBakeTimeInMinutes", 0)) * 60
    else:
        rollout.production_weight = 100.0
