"""CodeDeploy blue/green deployments of ECS services, and the task sets they move.

Follows the AWS CodeDeploy User Guide ("What happens during an Amazon ECS deployment", "AppSpec
'hooks' section for an Amazon ECS deployment", "Deployment configurations on an Amazon ECS compute
platform") and the CodeDeploy API Reference (CreateDeployment, GetDeployment, StopDeployment,
ContinueDeployment, ListDeploymentTargets, GetDeploymentTarget; data types DeploymentInfo,
ECSTarget, ECSTaskSet, LifecycleEvent, RollbackInfo, ErrorInformation):

- A CODE_DEPLOY service starts with one PRIMARY task set behind the service's target group.
- A deployment goes Created -> InProgress: the replacement (green) task set is created in the other
  target group of the pair (Install), the test listener is pointed at it (AllowTestTraffic); with
  deploymentReadyOption STOP_DEPLOYMENT it waits in Ready for ContinueDeployment(READY_WAIT) up to
  waitTimeInMinutes; production traffic then shifts by the deployment config (all at once, canary,
  linear) on the production listener (AllowTraffic); the green task set becomes PRIMARY, and after
  terminationWaitTimeInMinutes (or ContinueDeployment(TERMINATION_WAIT)) the original task set is
  drained and removed: Succeeded.
- StopDeployment -> Stopped (MANUAL_STOP); with autoRollbackEnabled, traffic returns to the
  original task set, the replacement is removed, and a rollback deployment (creator
  codeDeployRollback) records it. An alarm of the group in ALARM stops the deployment (ALARM_ACTIVE)
  and rolls back when the group's autoRollbackConfiguration has DEPLOYMENT_STOP_ON_ALARM; green
  tasks that keep failing fail it (ECS_UPDATE_ERROR) and roll back on DEPLOYMENT_FAILURE.
- One deployment at a time per group (DeploymentLimitExceededException).
AppSpec lifecycle hooks (Lambda functions) are reported Succeeded: the local backend runs no Lambda.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ecsship.local.simulator import ids
from ecsship.local.simulator import tasks as task_sim
from ecsship.local.simulator.model_time import ts

LIFECYCLE_EVENTS = ("BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic",
                    "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
GREEN_FAILURE_LIMIT = 3
FINISHED = ("Succeeded", "Failed", "Stopped")


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


@dataclass
class CodeDeployRun:
    service_key: tuple  # (account, region, cluster, service)
    blue: TaskSetSim | None = None
    green: TaskSetSim | None = None
    blue_tg: str | None = None
    green_tg: str | None = None
    prod_listeners: list = field(default_factory=list)
    test_listeners: list = field(default_factory=list)
    task_definition: str = ""
    container_name: str | None = None
    container_port: int | None = None
    stage: str = "Created"
    weight: float = 0.0
    next_shift_at: float | None = None
    ready_since: float | None = None
    continued: set = field(default_factory=set)
    termination_started_at: float | None = None
    events: dict = field(default_factory=dict)  # lifecycle event -> LifecycleEvent dict
    target_status: str = "Pending"
    last_updated: float = 0.0
    stop_request: tuple | None = None  # (rollback?, reason)
    rollback_for: object = None  # on a rollback deployment: the DeploymentInfo it undoes


# -- task sets on CODE_DEPLOY services ---------------------------------------------------------
def _new_task_set(backend, service, task_definition: str, target_group: str | None, status: str, now: float, started_by: str | None):
    from ecsship.local.simulator.ecs_model import new_revision

    task_set_id = f"ecs-svc/{ids.digits(19)}"
    previous_td = service.task_definition
    service.task_definition = task_definition
    revision = new_revision(service, backend, task_definition, now)
    service.task_definition = previous_td
    if target_group is not None:
        for lb in revision.load_balancers:
            lb["targetGroupArn"] = target_group
    service.ecsship.revisions[revision.arn] = revision
    return TaskSetSim(
        id=task_set_id, task_set_arn=f"arn:aws:ecs:{service.region_name}:{backend.account_id}:task-set/{service.cluster_name}/{service.name}/{task_set_id}",
        service_arn=service.arn, cluster_arn=service.cluster_arn, task_definition=task_definition,
        launch_type=service.launch_type, platform_version=service.platform_version or "LATEST",
        network_configuration=service.network_configuration or None, load_balancers=revision.load_balancers,
        target_group_arn=target_group, revision_arn=revision.arn, status=status, started_by=started_by,
        created_at=ts(now), updated_at=ts(now), stability_status_at=ts(now),
    )


def create_initial_task_set(backend, service, now: float) -> None:
    """CreateService with the CODE_DEPLOY controller: ECS creates the first (PRIMARY) task set."""
    tg = (service.load_balancers or [{}])[0].get("targetGroupArn")
    task_set = _new_task_set(backend, service, service.task_definition, tg, "PRIMARY", now, None)
    service.ecsship.task_sets.append(task_set)


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


# -- the deployments ------------------------------------------------------------------------
class CodeDeployEngine:
    def __init__(self, simulator):
        self.simulator = simulator

    def deployments(self):
        from moto.codedeploy.models import codedeploy_backends

        for account_id, per_region in list(codedeploy_backends.items()):
            for region, backend in list(per_region.items()):
                for deployment in list(backend.deployments.values()):
                    if getattr(deployment, "ecsship", None) is not None:
                        yield backend, deployment

    def busy(self) -> bool:
        return any(d.status not in FINISHED for _, d in self.deployments())

    def step(self, now: float) -> None:
        for backend, deployment in self.deployments():
            if deployment.status not in FINISHED:
                step_deployment(backend, deployment, now)


def _service(run: CodeDeployRun):
    from moto.ecs.models import ecs_backends

    account, region, cluster, name = run.service_key
    return ecs_backends[account][region].services.get(f"{cluster}:{name}")


def _elbv2(run: CodeDeployRun):
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[run.service_key[0]][run.service_key[1]]


def _event(run: CodeDeployRun, name: str, status: str, now: float) -> None:
    event = run.events.setdefault(name, {"lifecycleEventName": name, "status": "Pending"})
    if status == "InProgress" and "startTime" not in event:
        event["startTime"] = ts(now)
    if status in ("Succeeded", "Failed", "Skipped"):
        event.setdefault("startTime", ts(now))
        event["endTime"] = ts(now)
    event["status"] = status
    run.last_updated = now


def _set_weights(run: CodeDeployRun, green_weight: float, listeners: list) -> None:
    """Point the listeners' default action (and their rules forwarding to the pair) at blue/green."""
    from moto.elbv2.models import FakeAction

    elbv2 = _elbv2(run)
    weight = int(round(green_weight))
    groups = [{"TargetGroupArn": run.blue_tg, "Weight": 100 - weight}, {"TargetGroupArn": run.green_tg, "Weight": weight}]

    def forward():
        return FakeAction({"Type": "forward", "ForwardConfig": {"TargetGroups": [dict(g) for g in groups]}})

    pair = {run.blue_tg, run.green_tg}
    for listener_arn in listeners:
        found = elbv2.describe_listeners(None, [listener_arn])
        if not found:
            continue
        listener = found[0]
        # Only what routes to the pair moves: a shared listener's other rules and a default
        # action that does not forward to the pair stay as they are.
        if any(_forwards_to(action) & pair for action in listener.default_actions):
            listener.default_actions = [forward()]
        for rule in listener.rules.values():
            if rule.is_default:
                rule.actions = listener.default_actions
            elif any(_forwards_to(action) & pair for action in rule.actions):
                rule.actions = [forward()]
        for arn in pair:
            tg = elbv2.target_groups.get(arn)
            if tg is not None and listener.load_balancer_arn not in tg.load_balancer_arns:
                tg.load_balancer_arns.append(listener.load_balancer_arn)


def _forwards_to(action) -> set:
    data = getattr(action, "data", {}) or {}
    arns = set()
    if data.get("TargetGroupArn"):
        arns.add(data["TargetGroupArn"])
    for group in (data.get("ForwardConfig") or {}).get("TargetGroups", []):
        arns.add(group.get("TargetGroupArn"))
    return arns


def _serving_target_group(run: CodeDeployRun, pair: list[str]) -> str:
    """The target group of the pair production traffic goes to now (most weight on the prod listener)."""
    elbv2 = _elbv2(run)
    for listener_arn in run.prod_listeners:
        found = elbv2.describe_listeners(None, [listener_arn])
        if not found:
            continue
        best = None
        actions = list(found[0].default_actions) + [a for rule in found[0].rules.values() for a in rule.actions]
        for action in actions:
            data = getattr(action, "data", {}) or {}
            if data.get("TargetGroupArn") in pair:
                return data["TargetGroupArn"]
            for group in (data.get("ForwardConfig") or {}).get("TargetGroups", []):
                if group.get("TargetGroupArn") in pair and (best is None or int(group.get("Weight", 1)) > best[1]):
                    best = (group["TargetGroupArn"], int(group.get("Weight", 1)))
        if best is not None and best[1] > 0:
            return best[0]
    return pair[0]


def _config(backend, deployment) -> dict:
    from ecsship.local.fidelity.codedeploy import find_config

    return find_config(backend, str(deployment.deployment_config_name)) or {"trafficRoutingConfig": {"type": "AllAtOnce"}}


def _alarm_firing(run: CodeDeployRun, group) -> list[str]:
    config = group.alarm_configuration if isinstance(group.alarm_configuration, dict) else {}
    if not config.get("enabled"):
        return []
    from moto.cloudwatch.models import cloudwatch_backends

    alarms = cloudwatch_backends[run.service_key[0]][run.service_key[1]].alarms
    return [a["name"] for a in config.get("alarms") or [] if a.get("name") in alarms and alarms[a["name"]].state_value == "ALARM"]


def _rollback_on(deployment, event: str) -> bool:
    config = deployment.auto_rollback_configuration or deployment.deployment_group.auto_rollback_configuration or {}
    return bool(config.get("enabled")) and event in (config.get("events") or [])


def step_deployment(backend, deployment, now: float) -> None:
    run: CodeDeployRun = deployment.ecsship
    service = _service(run)
    if service is None:
        return _finish(backend, deployment, now, "Failed", "INVALID_ECS_SERVICE", "The ECS service no longer exists.", rollback=False)
    if run.rollback_for is not None:
        return _step_rollback(backend, deployment, run, service, now)
    if run.stop_request is not None:
        rollback, _ = run.stop_request
        run.stop_request = None
        return _finish(backend, deployment, now, "Stopped", "MANUAL_STOP", "The deployment was stopped by a user.", rollback=rollback)
    if deployment.status == "Created":
        deployment.status = "InProgress"
        deployment.start_time = ts(now)
        run.target_status = "InProgress"
        run.stage = "Install"
    firing = _alarm_firing(run, deployment.deployment_group) if run.stage != "Terminate" else []
    if firing:
        return _finish(backend, deployment, now, "Stopped", "ALARM_ACTIVE",
                       f"One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <{', '.join(firing)}>",
                       rollback=_rollback_on(deployment, "DEPLOYMENT_STOP_ON_ALARM"))
    sim = service.ecsship
    if run.stage == "Install":
        if run.green is None:
            _event(run, "BeforeInstall", "Succeeded", now)
            _event(run, "Install", "InProgress", now)
            run.green = _new_task_set(_ecs_backend(run), service, run.task_definition, run.green_tg, "ACTIVE", now, deployment.deployment_id)
            run.green.external_id = None
            sim.task_sets.append(run.green)
        if run.green.failed_tasks >= GREEN_FAILURE_LIMIT:
            return _finish(backend, deployment, now, "Failed", "ECS_UPDATE_ERROR",
                           f"The ECS service cannot be updated due to an error. Error message: the replacement task set {run.green.id} has {run.green.failed_tasks} tasks that failed to start or to pass health checks.",
                           rollback=_rollback_on(deployment, "DEPLOYMENT_FAILURE"))
        if run.green.stability_status == "STEADY_STATE" and run.green.running_count == run.green.computed_desired_count:
            _event(run, "Install", "Succeeded", now)
            _event(run, "AfterInstall", "Succeeded", now)
            run.stage = "AllowTestTraffic"
    if run.stage == "AllowTestTraffic":
        _event(run, "AllowTestTraffic", "InProgress", now)
        if run.test_listeners:
            _set_weights(run, 100.0, run.test_listeners)
        _event(run, "AllowTestTraffic", "Succeeded", now)
        _event(run, "AfterAllowTestTraffic", "Succeeded", now)
        ready = (deployment.deployment_group.blue_green_deployment_configuration or {}).get("deploymentReadyOption") or {}
        if ready.get("actionOnTimeout") == "STOP_DEPLOYMENT":
            run.stage, run.ready_since = "Ready", now
            deployment.status = run.target_status = "Ready"
            run.last_updated = now
            return
        run.stage = "AllowTraffic"
    if run.stage == "Ready":
        ready = (deployment.deployment_group.blue_green_deployment_configuration or {}).get("deploymentReadyOption") or {}
        if "READY_WAIT" in run.continued:
            deployment.status = run.target_status = "InProgress"
            run.stage = "AllowTraffic"
        elif now - run.ready_since >= int(ready.get("waitTimeInMinutes") or 0) * 60:
            return _finish(backend, deployment, now, "Stopped", "TIMEOUT",
                           "The deployment timed out while waiting for the replacement task set to become ready for traffic.", rollback=True)
        else:
            return
    if run.stage == "AllowTraffic":
        _shift_traffic(backend, deployment, run, now)
        if run.weight < 100:
            return
        _event(run, "AllowTraffic", "Succeeded", now)
        _event(run, "AfterAllowTraffic", "Succeeded", now)
        run.green.status, run.blue.status = "PRIMARY", "ACTIVE"
        service.task_definition = run.green.task_definition
        run.stage, run.termination_started_at = "Terminate", now
        deployment.instance_termination_wait_time_started = True
    if run.stage == "Terminate":
        option = (deployment.deployment_group.blue_green_deployment_configuration or {}).get("terminateBlueInstancesOnDeploymentSuccess") or {}
        wait = int(option.get("terminationWaitTimeInMinutes") or 0) * 60
        if "TERMINATION_WAIT" not in run.continued and now - run.termination_started_at < wait:
            return
        if run.blue.status != "DRAINING":
            run.blue.status = "DRAINING"
            run.stage = "Draining"
    if run.stage == "Draining":
        if run.blue in sim.task_sets:
            return
        _finish(backend, deployment, now, "Succeeded", None, None, rollback=False)


def _shift_traffic(backend, deployment, run: CodeDeployRun, now: float) -> None:
    routing = _config(backend, deployment).get("trafficRoutingConfig") or {"type": "AllAtOnce"}
    if run.events.get("AllowTraffic", {}).get("status") != "InProgress":
        _event(run, "BeforeAllowTraffic", "Succeeded", now)
        _event(run, "AllowTraffic", "InProgress", now)
    if run.next_shift_at is not None and now < run.next_shift_at:
        return
    kind = routing.get("type", "AllAtOnce")
    if kind == "TimeBasedCanary":
        canary = routing["timeBasedCanary"]
        if run.weight == 0:
            run.weight = float(canary["canaryPercentage"])
            run.next_shift_at = now + int(canary["canaryInterval"]) * 60
        else:
            run.weight = 100.0
    elif kind == "TimeBasedLinear":
        linear = routing["timeBasedLinear"]
        run.weight = min(100.0, run.weight + float(linear["linearPercentage"]))
        run.next_shift_at = now + int(linear["linearInterval"]) * 60
    else:
        run.weight = 100.0
    _set_weights(run, run.weight, run.prod_listeners)
    run.last_updated = now


def _ecs_backend(run: CodeDeployRun):
    from moto.ecs.models import ecs_backends

    return ecs_backends[run.service_key[0]][run.service_key[1]]


def _finish(backend, deployment, now: float, status: str, code: str | None, message: str | None, rollback: bool) -> None:
    run: CodeDeployRun = deployment.ecsship
    deployment.status = status
    deployment.complete_time = ts(now)
    run.target_status = {"Succeeded": "Succeeded", "Failed": "Failed", "Stopped": "Failed"}[status]
    if code:
        deployment.ecsship_error = {"code": code, "message": message}
    for name in LIFECYCLE_EVENTS:
        event = run.events.get(name)
        if event is None:
            _event(run, name, "Skipped" if status != "Succeeded" else "Succeeded", now)
        elif event["status"] == "InProgress":
            _event(run, name, "Failed", now)
    group = deployment.deployment_group
    summary = {"deploymentId": deployment.deployment_id, "status": status, "endTime": ts(now), "createTime": deployment.create_time}
    group.ecsship_lastAttemptedDeployment = summary
    if status == "Succeeded":
        group.ecsship_lastSuccessfulDeployment = summary
    if rollback and run.green is not None:
        rollback_deployment = _start_rollback(backend, deployment, now)
        deployment.ecsship_rollback = {"rollbackDeploymentId": rollback_deployment.deployment_id,
                                       "rollbackMessage": f"Deployment {deployment.deployment_id} was rolled back by deployment {rollback_deployment.deployment_id}."}


def _start_rollback(backend, deployment, now: float):
    """A rollback deployment: traffic back to the original task set, the replacement drained."""
    from moto.codedeploy.models import DeploymentInfo

    source: CodeDeployRun = deployment.ecsship
    rollback = DeploymentInfo(deployment.application, deployment.deployment_group, deployment.revision, deployment.deployment_config_name,
                              f"Rollback of {deployment.deployment_id}", None, None, None, None, None, None, "codeDeployRollback")
    backend.deployments[rollback.deployment_id] = rollback
    rollback.create_time = rollback.start_time = ts(now)
    rollback.status = "InProgress"
    rollback.ecsship_rollback = {"rollbackTriggeringDeploymentId": deployment.deployment_id,
                                 "rollbackMessage": f"Rollback of deployment {deployment.deployment_id}."}
    run = CodeDeployRun(service_key=source.service_key, blue=source.blue, green=source.green, blue_tg=source.blue_tg,
                        green_tg=source.green_tg, prod_listeners=source.prod_listeners, test_listeners=source.test_listeners,
                        task_definition=source.blue.task_definition if source.blue else "", stage="RollingBack", rollback_for=deployment)
    run.target_status = "InProgress"
    rollback.ecsship = run
    return rollback


def _step_rollback(backend, deployment, run: CodeDeployRun, service, now: float) -> None:
    sim = service.ecsship
    if run.stage == "RollingBack":
        _set_weights(run, 0.0, run.prod_listeners)
        if run.test_listeners:
            _set_weights(run, 0.0, run.test_listeners)
        for name in ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"):
            _event(run, name, "Succeeded", now)
        if run.blue is not None:
            run.blue.status = "PRIMARY"
            service.task_definition = run.blue.task_definition
        if run.green is not None:
            run.green.status = "DRAINING"
        run.stage = "Draining"
    if run.stage == "Draining" and (run.green is None or run.green not in sim.task_sets):
        deployment.status = "Succeeded"
        deployment.complete_time = ts(now)
        run.target_status = "Succeeded"
        for name in LIFECYCLE_EVENTS:
            if name not in run.events:
                _event(run, name, "Skipped", now)


# -- API ------------------------------------------------------------------------------------
def start(backend, deployment, now: float) -> None:
    """CreateDeployment on an ECS application: validate the AppSpec and the group, attach the run."""
    import yaml
    from moto.core.exceptions import JsonRESTError

    group = deployment.deployment_group
    for other in backend.deployments.values():
        if other is not deployment and other.deployment_group is group and other.status not in FINISHED and getattr(other, "ecsship", None):
            del backend.deployments[deployment.deployment_id]
            raise JsonRESTError("DeploymentLimitExceededException",
                                f"The Deployment Group '{group.deployment_group_name}' already has an active Deployment '{other.deployment_id}'")
    revision = deployment.revision or {}
    content = ((revision.get("appSpecContent") or {}).get("content") or (revision.get("string") or {}).get("content") or "")
    try:
        appspec = yaml.safe_load(content) if content else None
        target = appspec["Resources"][0]["TargetService"]["Properties"]
        task_definition = target["TaskDefinition"]
    except Exception:
        del backend.deployments[deployment.deployment_id]
        raise JsonRESTError("InvalidRevisionException", "The AppSpec content must name Resources[0].TargetService.Properties.TaskDefinition.")
    services = group.ecs_services or []
    if not services:
        del backend.deployments[deployment.deployment_id]
        raise JsonRESTError("InvalidECSServiceException", "The deployment group has no ECS service.")
    pairs = (group.load_balancer_info or {}).get("targetGroupPairInfoList") or []
    if not pairs or len(pairs[0].get("targetGroups") or []) != 2:
        del backend.deployments[deployment.deployment_id]
        raise JsonRESTError("InvalidTargetGroupPairException", "The deployment group needs a target group pair.")
    service_ref = services[0]
    from moto.ecs.models import ecs_backends
    from moto.elbv2.models import elbv2_backends

    ecs = ecs_backends[backend.account_id][backend.region_name]
    service = ecs.services.get(f"{service_ref['clusterName']}:{service_ref['serviceName']}")
    if service is None or getattr(service, "ecsship", None) is None or (service.deployment_controller or {}).get("type") != "CODE_DEPLOY":
        del backend.deployments[deployment.deployment_id]
        raise JsonRESTError("InvalidECSServiceException", f"The ECS service {service_ref.get('serviceName')} does not exist or does not use the CODE_DEPLOY deployment controller.")
    ecs.describe_task_definition(task_definition)
    elbv2 = elbv2_backends[backend.account_id][backend.region_name]
    names = [g["name"] for g in pairs[0]["targetGroups"]]
    arns = []
    for name in names:
        match = [tg.arn for tg in elbv2.target_groups.values() if tg.name == name]
        if not match:
            del backend.deployments[deployment.deployment_id]
            raise JsonRESTError("InvalidTargetGroupPairException", f"Target group {name} does not exist.")
        arns.append(match[0])
    lb_info = target.get("LoadBalancerInfo") or {}
    run = CodeDeployRun(
        service_key=(backend.account_id, backend.region_name, service.cluster_name, service.name),
        prod_listeners=list((pairs[0].get("prodTrafficRoute") or {}).get("listenerArns") or []),
        test_listeners=list((pairs[0].get("testTrafficRoute") or {}).get("listenerArns") or []),
        task_definition=ecs.describe_task_definition(task_definition).arn,
        container_name=lb_info.get("ContainerName"), container_port=lb_info.get("ContainerPort"),
    )
    primary = next((t for t in service.ecsship.task_sets if t.status == "PRIMARY"), None)
    run.blue = primary
    run.blue_tg = _serving_target_group(run, arns)
    run.green_tg = arns[1] if run.blue_tg == arns[0] else arns[0]
    run.last_updated = now
    deployment.ecsship = run
    deployment.create_time = ts(now)


def deployment_info(original, deployment) -> dict:
    info = original(deployment)
    run = getattr(deployment, "ecsship", None)
    if run is None:
        return info
    info["status"] = deployment.status
    info["startTime"] = deployment.start_time
    info["completeTime"] = deployment.complete_time
    info["createTime"] = deployment.create_time
    info["creator"] = deployment.creator
    info["instanceTerminationWaitTimeStarted"] = bool(getattr(deployment, "instance_termination_wait_time_started", False))
    error = getattr(deployment, "ecsship_error", None)
    info["errorInformation"] = error or {}
    if not error:
        info.pop("errorInformation")
    rollback = getattr(deployment, "ecsship_rollback", None)
    if rollback:
        info["rollbackInfo"] = rollback
    else:
        info.pop("rollbackInfo", None)
    info["deploymentOverview"] = {"Pending": 0, "InProgress": int(run.target_status == "InProgress"), "Succeeded": int(run.target_status == "Succeeded"),
                                  "Failed": int(run.target_status == "Failed"), "Skipped": 0, "Ready": int(run.target_status == "Ready")}
    info.pop("previousRevision", None)
    info.pop("relatedDeployments", None)
    return {k: v for k, v in info.items() if v is not None}


def ecs_target(deployment) -> dict:
    run: CodeDeployRun = deployment.ecsship
    account, region, cluster, name = run.service_key
    elbv2 = _elbv2(run)
    sets = []
    for label, task_set, weight in (("Blue", run.blue, 100.0 - run.weight), ("Green", run.green, run.weight)):
        if task_set is None:
            continue
        tg = elbv2.target_groups.get(task_set.target_group_arn or "")
        sets.append({"identifer": task_set.id, "desiredCount": task_set.computed_desired_count, "pendingCount": task_set.pending_count,
                     "runningCount": task_set.running_count, "status": task_set.status, "trafficWeight": weight,
                     "targetGroup": {"name": tg.name if tg else ""}, "taskSetLabel": label})
    events = [run.events.get(name) or {"lifecycleEventName": name, "status": "Pending"} for name in LIFECYCLE_EVENTS]
    return {
        "deploymentTargetType": "ECSTarget",
        "ecsTarget": {"deploymentId": deployment.deployment_id, "targetId": f"{cluster}:{name}",
                      "targetArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/{name}", "lastUpdatedAt": ts(run.last_updated),
                      "lifecycleEvents": events, "status": run.target_status, "taskSetsInfo": sets},
    }


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    import moto.codedeploy.responses as responses
    from moto.codedeploy.models import CodeDeployBackend
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import ActionResult

    from ecsship.local import runtime

    original_info = responses._deployment_info
    responses._deployment_info = lambda deployment: deployment_info(original_info, deployment)
    original_create = CodeDeployBackend.create_deployment

    def create_deployment(self, application_name, deployment_group_name, revision, deployment_config_name=None, *args, **kwargs):
        if deployment_config_name:
            from ecsship.local.fidelity.codedeploy import find_config

            if find_config(self, deployment_config_name) is None:
                raise JsonRESTError("DeploymentConfigDoesNotExistException", f"The deployment configuration {deployment_config_name} does not exist with the user or AWS account.")
        deployment_id = original_create(self, application_name, deployment_group_name, revision, deployment_config_name, *args, **kwargs)
        deployment = self.deployments[deployment_id]
        if deployment.application.compute_platform == "ECS":
            start(self, deployment, runtime.now())
        return deployment_id

    CodeDeployBackend.create_deployment = create_deployment

    def _deployment(self, deployment_id):
        deployment = self.codedeploy_backend.deployments.get(deployment_id)
        if deployment is None:
            raise JsonRESTError("DeploymentDoesNotExistException", f"The deployment {deployment_id} could not be found.")
        return deployment

    def stop_deployment(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        if deployment.status in FINISHED:
            raise JsonRESTError("DeploymentAlreadyCompletedException", f"The deployment {deployment.deployment_id} has already completed.")
        run = getattr(deployment, "ecsship", None)
        requested = self._get_param("autoRollbackEnabled")
        rollback = bool(requested) if requested is not None else _rollback_on(deployment, "DEPLOYMENT_STOP_ON_REQUEST")
        if run is not None:
            run.stop_request = (rollback, "user")
        else:
            deployment.status = "Stopped"
        return ActionResult({"status": "Pending", "statusMessage": "Stop request received for the deployment."})

    def continue_deployment(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        wait_type = self._get_param("deploymentWaitType") or "READY_WAIT"
        run = getattr(deployment, "ecsship", None)
        if run is None or deployment.status in FINISHED:
            raise JsonRESTError("DeploymentAlreadyCompletedException", f"The deployment {deployment.deployment_id} has already completed.")
        if wait_type == "READY_WAIT" and run.stage != "Ready":
            raise JsonRESTError("DeploymentIsNotInReadyStateException", f"The deployment {deployment.deployment_id} is not in a ready state.")
        if wait_type == "TERMINATION_WAIT" and run.stage != "Terminate":
            raise JsonRESTError("InvalidDeploymentWaitTypeException", "The deployment is not waiting to terminate the original task set.")
        run.continued.add(wait_type)
        return ActionResult({})

    def list_deployment_targets(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        run = getattr(deployment, "ecsship", None)
        ids_ = [f"{run.service_key[2]}:{run.service_key[3]}"] if run else []
        return ActionResult({"targetIds": ids_})

    def get_deployment_target(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        target_id = self._get_param("targetId")
        run = getattr(deployment, "ecsship", None)
        if run is None or target_id != f"{run.service_key[2]}:{run.service_key[3]}":
            raise JsonRESTError("DeploymentTargetDoesNotExistException", f"The target {target_id} does not exist in deployment {deployment.deployment_id}.")
        return ActionResult({"deploymentTarget": ecs_target(deployment)})

    def batch_get_deployment_targets(self):
        deployment = _deployment(self, self._get_param("deploymentId"))
        run = getattr(deployment, "ecsship", None)
        wanted = self._get_param("targetIds") or []
        found = [ecs_target(deployment)] if run and f"{run.service_key[2]}:{run.service_key[3]}" in wanted else []
        return ActionResult({"deploymentTargets": found})

    for method in (stop_deployment, continue_deployment, list_deployment_targets, get_deployment_target, batch_get_deployment_targets):
        setattr(responses.CodeDeployResponse, method.__name__, method)
