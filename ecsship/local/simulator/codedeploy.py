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
- The replacement task set runs the AppSpec's network configuration and capacity provider
  strategy; once it is PRIMARY the service reports them, its task definition, and the other target
  group of the pair in loadBalancers (ecspresso#936, terraform-provider-aws#13192).
AppSpec lifecycle hooks (Lambda functions) are reported Succeeded: the local backend runs no Lambda.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ecsship.local.simulator.model_time import ts
from ecsship.local.simulator.task_sets import TaskSetSim, _new_task_set

LIFECYCLE_EVENTS = ("BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic",
                    "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
GREEN_FAILURE_LIMIT = 3
FINISHED = ("Succeeded", "Failed", "Stopped")


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
    network: dict | None = None  # the AppSpec's network configuration (ECS API shape), for the replacement
    capacity: list | None = None  # the AppSpec's capacity provider strategy
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

    from ecsship.local.fidelity.elbv2 import relink

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
    relink(elbv2)


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
            run.green = _new_task_set(_ecs_backend(run), service, run.task_definition, run.green_tg, "ACTIVE", now, deployment.deployment_id,
                                      network=run.network, capacity=run.capacity)
            run.green.external_id = None
            _take_appspec_container(run.green.load_balancers, run)
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
        _serve_from(service, run)
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


def _serve_from(service, run: CodeDeployRun) -> None:
    """The replacement is PRIMARY: the service now reports its task definition, network, capacity
    and target group. DescribeServices after a CodeDeploy blue/green deployment names the other
    target group of the pair (as AWS does: ecspresso#936, terraform-provider-aws#13192), and ECS
    takes the AppSpec's network configuration for the service (CodeDeploy User Guide, "AppSpec
    'resources' section for Amazon ECS deployments")."""
    service.task_definition = run.green.task_definition
    for lb in service.load_balancers or []:
        if lb.get("targetGroupArn") == run.blue_tg:
            lb["targetGroupArn"] = run.green_tg
    _take_appspec_container(service.load_balancers, run)
    if run.network:
        service.network_configuration = run.network
    if run.capacity:
        service.capacity_provider_strategy, service.launch_type = run.capacity, None


def _take_appspec_container(load_balancers: list | None, run: CodeDeployRun) -> None:
    """The AppSpec's LoadBalancerInfo (ContainerName, ContainerPort: "the container and port in the
    replacement task set that the load balancer routes traffic to", CodeDeploy User Guide, "AppSpec
    'resources' section for Amazon ECS deployments") is what the replacement registers, and what the
    service reports once it serves, as for its target group above (botocore ecs UpdateService: a
    CODE_DEPLOY service's load balancer is updated by a new CodeDeploy deployment)."""
    for lb in load_balancers or []:
        if run.container_name:
            lb["containerName"] = run.container_name
        if run.container_port:
            lb["containerPort"] = run.container_port


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
