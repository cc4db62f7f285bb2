"""The CODE_DEPLOY controller: blue/green, canary and linear through a CodeDeploy deployment.

Starting: CreateDeployment with an AppSpec built from the desired service after `apply`, else the
service as it is (task definition, container name and port from its load balancer, its network
configuration and capacity provider strategy) plus the manifest's lifecycle hook Lambdas.
Tracking: that deployment id (GetDeployment), traffic weights from its ECS deployment target,
task counts from the service's task sets.
Rollback: StopDeployment(autoRollbackEnabled=True). Approval: ContinueDeployment(READY_WAIT).

The application and group are the ones the desired model names (`<cluster>-<service>`), found
by name: never by listing every application in the account (the ecspresso #403 throttling).
"""
from __future__ import annotations

import hashlib
import json

from ecsship.aws.errors import aws_call
from ecsship.aws.retrysafe import send_once
from ecsship.deploy.health import alarm_states, health_counts
from ecsship.deploy.model import (
    FAILED,
    IN_PROGRESS,
    ROLLED_BACK,
    ROLLING_BACK,
    STOPPED,
    SUCCEEDED,
    WAITING_APPROVAL,
    RevisionState,
    Snapshot,
)
from ecsship.deploy.names import revision_name, unsupported
from ecsship.deploy.strategies.ecs import EcsStrategy, EcsTracker
from ecsship.errors import EcsshipError

ACTIVE = ["Created", "Queued", "InProgress", "Baking", "Ready"]
HOOK_NAMES = {
    "before_install": "BeforeInstall",
    "after_install": "AfterInstall",
    "after_allow_test_traffic": "AfterAllowTestTraffic",
    "before_allow_traffic": "BeforeAllowTraffic",
    "after_allow_traffic": "AfterAllowTraffic",
}


def build_appspec(service: dict, task_definition: str, settings) -> dict:
    """The AppSpec for an ECS blue/green deployment: network, capacity and container from the
    desired service (`settings.target`, what `apply` resolved from the manifest) when there is one,
    else from the live service (`deploy` ships a new revision and nothing else). The network in the
    AppSpec is what the replacement task set gets: copying the live one would drop a change."""
    service = settings.target or service
    lbs = service.get("loadBalancers") or []
    container = (lbs[0].get("containerName") if lbs else None) or settings.container
    port = (lbs[0].get("containerPort") if lbs else None) or settings.container_port
    if not port:
        raise EcsshipError(f"service {settings.service} has no load balancer container port", "CodeDeploy blue/green needs `port` and `load_balancer` in the manifest")
    props: dict = {
        "TaskDefinition": task_definition,
        "LoadBalancerInfo": {"ContainerName": container, "ContainerPort": port},
    }
    vpc = (service.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if vpc:
        props["NetworkConfiguration"] = {"AwsvpcConfiguration": {
            "Subnets": list(vpc.get("subnets", [])),
            "SecurityGroups": list(vpc.get("securityGroups", [])),
            "AssignPublicIp": vpc.get("assignPublicIp", "DISABLED"),
        }}
    if service.get("capacityProviderStrategy"):
        props["CapacityProviderStrategy"] = [
            {"CapacityProvider": c["capacityProvider"], "Base": c.get("base", 0), "Weight": c.get("weight", 1)}
            for c in service["capacityProviderStrategy"]
        ]
    if service.get("platformVersion"):
        props["PlatformVersion"] = service["platformVersion"]
    spec: dict = {"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": props}}]}
    hooks = [{HOOK_NAMES[k]: v} for k, v in sorted(settings.hooks.items()) if k in HOOK_NAMES]
    if hooks:
        spec["Hooks"] = hooks
    return spec


class CodeDeployStrategy(EcsStrategy):
    controller = "codedeploy"

    def __init__(self, aws, settings, clock):
        super().__init__(aws, settings, clock)
        self.cd = aws.client("codedeploy")

    def current_task_definition_of(self, service: dict) -> str:
        primary = next((t for t in service.get("taskSets", []) or [] if t.get("status") == "PRIMARY"), None)
        return (primary or {}).get("taskDefinition") or service.get("taskDefinition", "")

    def active_deployments(self, service: dict | None = None, listed: list[str] | None = None) -> list[str]:
        """The group's deployments in progress; `listed`: `listed_deployments` read by the caller."""
        return list(listed) if listed is not None else self.listed_deployments()

    def listed_deployments(self) -> list[str]:
        s = self.settings
        with aws_call(f"CodeDeploy group {s.deployment_group}", "codedeploy:ListDeployments"):
            resp = self.cd.list_deployments(applicationName=s.application, deploymentGroupName=s.deployment_group, includeOnlyStatuses=ACTIVE)
        return list(resp.get("deployments", []))

    def start(self, task_definition: str, force_new: bool = False, before: dict | None = None) -> "CodeDeployTracker":
        """`before`: the service as the caller just read it (the in-progress guard), not read again."""
        service = before or self.describe_service()
        old_td = self.current_task_definition_of(service)
        content = json.dumps(build_appspec(service, task_definition, self.settings), sort_keys=True)
        s = self.settings
        digest = hashlib.sha256(content.encode()).hexdigest()

        def find():  # CreateDeployment has no client token: a resend after a lost answer would fail
            for active in self.active_deployments():
                info = self.cd.get_deployment(deploymentId=active)["deploymentInfo"]
                if ((info.get("revision") or {}).get("appSpecContent") or {}).get("sha256") == digest:
                    return {"deploymentId": active}
            return None

        with aws_call(f"CodeDeploy group {s.deployment_group}", "codedeploy:CreateDeployment"):
            deployment_id = send_once(self.aws, "codedeploy", lambda cd: cd.create_deployment(
                applicationName=s.application, deploymentGroupName=s.deployment_group,
                revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content, "sha256": digest}},
                description=f"ecsship: {revision_name(old_td)} -> {revision_name(task_definition)}",
            ), find)["deploymentId"]
        tracker = CodeDeployTracker(self, old_td, task_definition, deployment_id)
        tracker.old_event_ids = {e.get("id") for e in service.get("events", []) or []}
        return tracker

    def attach(self) -> "CodeDeployTracker | None":
        active = self.active_deployments()
        if not active:
            return None
        info = self._get(active[0])
        service = self.describe_service()
        td = appspec_task_definition(info) or service.get("taskDefinition", "")
        tracker = CodeDeployTracker(self, self.current_task_definition_of(service), td, active[0])
        tracker.old_event_ids = {e.get("id") for e in service.get("events", []) or []}  # told before we attached
        return tracker

    def group_alarm_names(self) -> list[str]:
        """The alarms that stop this group's deployments (CodeDeploy keeps them on the group)."""
        return alarm_names_of(self.deployment_group())

    def deployment_group(self) -> dict:
        s = self.settings
        with aws_call(f"CodeDeploy group {s.deployment_group}", "codedeploy:GetDeploymentGroup"):
            return self.cd.get_deployment_group(applicationName=s.application, deploymentGroupName=s.deployment_group)["deploymentGroupInfo"]

    def _get(self, deployment_id: str) -> dict:
        with aws_call(f"CodeDeploy deployment {deployment_id}", "codedeploy:GetDeployment"):
            return self.cd.get_deployment(deploymentId=deployment_id)["deploymentInfo"]


def alarm_names_of(group: dict) -> list[str]:
    config = group.get("alarmConfiguration") or {}
    if not config.get("enabled", False):
        return []
    return [a["name"] for a in config.get("alarms", []) if a.get("name")]


def appspec_task_definition(info: dict) -> str:
    try:
        content = json.loads(((info.get("revision") or {}).get("appSpecContent") or {}).get("content", ""))
        return content["Resources"][0]["TargetService"]["Properties"]["TaskDefinition"]
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


class CodeDeployTracker(EcsTracker):
    def __init__(self, strategy: CodeDeployStrategy, old_td: str, new_td: str, deployment_id: str):
        super().__init__(strategy, old_td, new_td, deployment_id, "")
        self.cd = strategy.cd
        self._target_api = True
        self._alarm_names: list[str] | None = None

    @property
    def id(self) -> str:
        return self.deployment_id

    def poll(self) -> Snapshot:
        service = self.strategy.describe_service()
        self.last_service = service
        self._polls += 1
        info = self.strategy._get(self.deployment_id)
        if self.started_at is None:
            self.started_at = info.get("createTime")
        weights, lifecycle = self._deployment_target(service)
        revisions = self._task_sets(service, weights)
        counts_key = tuple((r.revision, r.running, r.pending) for r in revisions)
        if self._polls == 1 or self._polls % 3 == 0 or counts_key != self._counts_key:
            self._targets = self._target_health_of_sets(service)
            self._alarms = self._group_alarm_states()
        self._counts_key = counts_key

        state, reason = self._state(info)
        if state in (FAILED, ROLLED_BACK, ROLLING_BACK) and not self._stopped:
            self._stopped = self._stopped_reasons(service)
        status = info.get("status", "")
        phase = lifecycle or status
        serving = ""
        if state in (SUCCEEDED, ROLLED_BACK, FAILED, STOPPED):
            serving = revision_name(self.strategy.current_task_definition_of(service))
        return Snapshot(
            deployment_id=self.deployment_id, state=state, phase=phase if state not in (SUCCEEDED, ROLLED_BACK, FAILED, STOPPED) else "",
            reason=reason, revisions=revisions, targets=self._targets, alarms=self._alarms,
            events=self._events(service), stopped=self._stopped, serving=serving,
        )

    def _state(self, info: dict) -> tuple[str, str]:  # type: ignore[override]  # CodeDeploy's state is one deployment's info
        status = info.get("status", "")
        error = (info.get("errorInformation") or {}).get("message", "")
        rollback = info.get("rollbackInfo") or {}
        reason = "; ".join(x for x in (error, rollback.get("rollbackMessage", "")) if x)
        if status == "Succeeded":
            return SUCCEEDED, ""
        if status == "Ready":
            return WAITING_APPROVAL, ""
        if status in ("Failed", "Stopped"):
            rollback_id = rollback.get("rollbackDeploymentId")
            if rollback_id:
                rb = self.strategy._get(rollback_id).get("status", "")
                if rb == "Succeeded":
                    return ROLLED_BACK, reason
                if rb in ACTIVE:
                    return ROLLING_BACK, reason
                return FAILED, (reason + "; " if reason else "") + f"rollback {rollback_id} {rb.lower()}"
            return (FAILED if status == "Failed" else STOPPED), reason
        return IN_PROGRESS, ""

    def _group_alarm_states(self) -> tuple:
        if self._alarm_names is None:
            self._alarm_names = self.strategy.group_alarm_names()
        return alarm_states(self.strategy.aws, self._alarm_names)

    def _deployment_target(self, service: dict) -> tuple[dict, str]:
        """Traffic weight per task set label (Blue/Green) and the lifecycle event in progress."""
        if not self._target_api:
            return {}, ""
        from botocore.exceptions import ClientError

        s = self.strategy.settings
        try:
            resp = self.cd.get_deployment_target(deploymentId=self.deployment_id, targetId=f"{s.cluster}:{s.service}")
        except ClientError as exc:
            if unsupported(exc) or exc.response.get("Error", {}).get("Code") in ("DeploymentTargetDoesNotExistException", "DeploymentNotStartedException"):
                if unsupported(exc):
                    self._target_api = False
                return {}, ""
            raise
        target = (resp.get("deploymentTarget") or {}).get("ecsTarget") or {}
        weights = {}
        for ts in target.get("taskSetsInfo", []) or []:
            if ts.get("trafficWeight") is not None:
                weights[ts.get("taskSetLabel", "")] = ts["trafficWeight"]
        running = [e.get("lifecycleEventName", "") for e in target.get("lifecycleEvents", []) or [] if e.get("status") == "InProgress"]
        return weights, running[0] if running else ""

    def _task_sets(self, service: dict, weights: dict) -> tuple[RevisionState, ...]:
        out = []
        for ts in service.get("taskSets", []) or []:
            td = ts.get("taskDefinition", "")
            role = "new" if td == self.new_td and td != self.old_td or ts.get("externalId") == self.deployment_id else "old"
            label = "Green" if role == "new" else "Blue"
            out.append(RevisionState(revision_name(td), role, ts.get("computedDesiredCount", 0), ts.get("pendingCount", 0),
                                     ts.get("runningCount", 0), 0, traffic=weights.get(label)))
        if not any(r.role == "new" for r in out):
            out.insert(0, RevisionState(revision_name(self.new_td), "new", traffic=weights.get("Green")))
        return tuple(sorted(out, key=lambda r: r.role != "new"))

    def _target_health_of_sets(self, service: dict) -> tuple:
        groups = []
        for ts in service.get("taskSets", []) or []:
            for lb in ts.get("loadBalancers", []) or []:
                if lb.get("targetGroupArn"):
                    groups.append(lb["targetGroupArn"])
        if not groups:
            return self._target_health(service)
        return health_counts(self.strategy.aws, groups)

    def rollback(self) -> None:
        with aws_call(f"CodeDeploy deployment {self.deployment_id}", "codedeploy:StopDeployment"):
            self.cd.stop_deployment(deploymentId=self.deployment_id, autoRollbackEnabled=True)

    def continue_(self, hook_id: str = "") -> None:
        with aws_call(f"CodeDeploy deployment {self.deployment_id}", "codedeploy:ContinueDeployment"):
            self.cd.continue_deployment(deploymentId=self.deployment_id, deploymentWaitType="READY_WAIT")
