"""ECS service: network, capacity, deployment configuration, load balancers, tags.

desiredCount is set at creation; when autoscaling manages the service it is left alone afterwards.
`update_service` below is the one place apply changes a running service (the deploy engine
watches the rollout it starts).
"""
from __future__ import annotations

import json

from ecsship.aws.errors import aws_call
from ecsship.aws.retrysafe import client_token
from ecsship.deploy import clock as clocks
from ecsship.deploy.image_record import RECORD_ONLY
from ecsship.deploy.polling import Backoff, wait_for
from ecsship.errors import EcsshipError
from ecsship.reconcilers.base import (
    Live,
    OnDestroy,
    Reconciler,
    check_known,
    check_known_items,
    converge_existing,
    note_progress,
    owned,
    tag_dict,
    tag_ecs,
    tag_list,
    while_role_propagates,
)

UPDATABLE = ("taskDefinition", "desiredCount", "capacityProviderStrategy", "networkConfiguration", "deploymentConfiguration",
             "healthCheckGracePeriodSeconds", "enableExecuteCommand", "enableECSManagedTags", "propagateTags",
             "loadBalancers", "serviceRegistries")
# botocore ecs UpdateService: "For services using the blue/green (CODE_DEPLOY) deployment controller,
# only the desired count, deployment configuration, health check grace period, task placement
# constraints and strategies, enable ECS managed tags option, and propagate tags can be updated
# using this API. If the network configuration, platform version, task definition, or load balancer
# need to be updated, create a new CodeDeploy deployment."
CODE_DEPLOY_UPDATABLE = ("desiredCount", "deploymentConfiguration", "healthCheckGracePeriodSeconds", "placementConstraints",
                         "placementStrategy", "enableECSManagedTags", "propagateTags")
# What a CodeDeploy deployment's AppSpec carries (TargetService Properties): apply rolls these out through CodeDeploy.
CODE_DEPLOY_ROLLED_OUT = ("taskDefinition", "networkConfiguration", "capacityProviderStrategy", "platformVersion")
# Neither UpdateService nor an AppSpec changes these on a CODE_DEPLOY service: the service is replaced.
CODE_DEPLOY_FIXED = ("enableExecuteCommand", "serviceRegistries", "loadBalancers")
# Deployment controller changes UpdateService makes in place (botocore ecs UpdateServiceRequest has a
# `deploymentController` member). ECS -> CODE_DEPLOY: the running deployment becomes the PRIMARY task
# set and CodeDeploy deploys from then on. CODE_DEPLOY -> ECS only to an ECS blue/green strategy behind
# the same target group pair (ECS Developer Guide, "Migrating from a CodeDeploy blue/green to an Amazon
# ECS blue/green service deployment"). AWS documents no other (to or from EXTERNAL, CODE_DEPLOY to
# rolling): those replace the service, behind --allow-replace, and the local AWS refuses them.
IN_PLACE_CONTROLLER_CHANGES = {("ECS", "CODE_DEPLOY"), ("CODE_DEPLOY", "ECS")}
SHIFTING_STRATEGIES = ("BLUE_GREEN", "CANARY", "LINEAR")


# What `normalise` compares, field by field (a desired field outside these is a NormaliserGap).
COMPARED = ("taskDefinition", "networkConfiguration", "deploymentController", "propagateTags", "enableECSManagedTags",
            "enableExecuteCommand", "healthCheckGracePeriodSeconds", "loadBalancers", "serviceRegistries",
            "schedulingStrategy", "desiredCount", "capacityProviderStrategy", "launchType", "deploymentConfiguration")
IDENTITY = ("cluster", "serviceName")  # which service it is: read by, never changed in place
LB_KEYS = ("targetGroupArn", "containerName", "containerPort", "advancedConfiguration")
ADVANCED_KEYS = ("alternateTargetGroupArn", "productionListenerRule", "testListenerRule", "roleArn")
DEPLOYMENT_KEYS = ("maximumPercent", "minimumHealthyPercent", "deploymentCircuitBreaker", "alarms", "strategy",
                   "lifecycleHooks", "bakeTimeInMinutes", "canaryConfiguration", "linearConfiguration")
HOOK_KEYS = ("targetType", "lifecycleStages", "hookTargetArn", "roleArn")


def check_spec(spec: dict, where: str) -> None:
    """Every field of a desired service is one `normalise` compares (issue #14: an allow-list must
    not drop a field the builder starts sending, or a change to it never shows as drift)."""
    check_known(spec, COMPARED + IDENTITY, where)
    check_known(spec.get("networkConfiguration") or {}, ("awsvpcConfiguration",), f"{where} networkConfiguration")
    net = (spec.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    check_known(net, ("subnets", "securityGroups", "assignPublicIp"), f"{where} awsvpcConfiguration")
    check_known(spec.get("deploymentController") or {}, ("type",), f"{where} deploymentController")
    check_known_items(spec.get("loadBalancers"), LB_KEYS, f"{where} load balancer")
    for lb in spec.get("loadBalancers") or []:
        check_known(lb.get("advancedConfiguration") or {}, ADVANCED_KEYS, f"{where} load balancer advancedConfiguration")
    check_known_items(spec.get("serviceRegistries"), ("registryArn",), f"{where} service registry")
    check_known_items(spec.get("capacityProviderStrategy"), ("capacityProvider", "weight", "base"), f"{where} capacity provider")
    deployment = spec.get("deploymentConfiguration") or {}
    check_known(deployment, DEPLOYMENT_KEYS, f"{where} deploymentConfiguration")
    check_known(deployment.get("deploymentCircuitBreaker") or {}, ("enable", "rollback"), f"{where} deploymentCircuitBreaker")
    check_known(deployment.get("alarms") or {}, ("alarmNames", "enable", "rollback"), f"{where} deploymentConfiguration.alarms")
    check_known_items(deployment.get("lifecycleHooks"), HOOK_KEYS, f"{where} lifecycle hook")


def normalise(s: dict, tags: dict, autoscaled: bool, uses_capacity: bool, pair: list | None = None) -> dict:
    """The comparable shape of a service, the same for the spec and for DescribeServices.

    `pair`: a CODE_DEPLOY service's blue/green target groups. Each CodeDeploy deployment moves the
    service to the other group of the pair (DescribeServices then reports it), so the load balancer
    is compared as the unordered pair, not the group it names now.
    """
    net = (s.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    controller = (s.get("deploymentController") or {}).get("type", "ECS")
    out = {
        "taskDefinition": s.get("taskDefinition"),
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": sorted(net.get("subnets") or [], key=str),
                                                         "securityGroups": sorted(net.get("securityGroups") or [], key=str),  # key=str: a group not created yet is UNKNOWN
                                                         "assignPublicIp": net.get("assignPublicIp") or "DISABLED"}},
        "deploymentController": {"type": controller},
        "propagateTags": s.get("propagateTags") or "NONE",
        "enableECSManagedTags": bool(s.get("enableECSManagedTags")),
        "enableExecuteCommand": bool(s.get("enableExecuteCommand")),
        "healthCheckGracePeriodSeconds": s.get("healthCheckGracePeriodSeconds") or 0,
        "loadBalancers": sorted((_lb(lb, pair) for lb in s.get("loadBalancers") or []), key=lambda lb: json.dumps(lb, sort_keys=True, default=str)),
        "serviceRegistries": sorted(({"registryArn": r["registryArn"]} for r in s.get("serviceRegistries") or []), key=lambda r: str(r["registryArn"])),
        # The record of what deploy shipped is not desired state (deploy/image_record.py).
        "tags": {k: v for k, v in tags.items() if k not in RECORD_ONLY},
    }
    out["schedulingStrategy"] = s.get("schedulingStrategy") or "REPLICA"
    # A DAEMON service's desiredCount is ECS's: the number of container instances it runs on.
    if not autoscaled and out["schedulingStrategy"] != "DAEMON":
        out["desiredCount"] = s.get("desiredCount", 0)
    if uses_capacity:
        out["capacityProviderStrategy"] = sorted(({"capacityProvider": c["capacityProvider"], "weight": c.get("weight", 0), "base": c.get("base", 0)}
                                                  for c in s.get("capacityProviderStrategy") or []), key=lambda c: c["capacityProvider"])
    else:
        out["launchType"] = s.get("launchType")
    if controller == "ECS":
        out["deploymentConfiguration"] = _deployment_configuration(s.get("deploymentConfiguration") or {})
    return out


def _lb(lb: dict, pair: list | None = None) -> dict:
    out = {"targetGroupArn": lb.get("targetGroupArn"), "containerName": lb.get("containerName"), "containerPort": lb.get("containerPort")}
    if pair and lb.get("targetGroupArn") in pair:
        out.pop("targetGroupArn")
        out["targetGroupPair"] = sorted(str(a) for a in pair)
    if lb.get("advancedConfiguration"):
        adv = lb["advancedConfiguration"]
        out["advancedConfiguration"] = {k: adv.get(k) for k in ("productionListenerRule", "testListenerRule", "roleArn") if adv.get(k)}
        # Each blue/green deployment swaps which of the pair is primary: the pair is the config, not its order.
        out.pop("targetGroupArn")
        out["targetGroupPair"] = sorted(str(a) for a in (lb.get("targetGroupArn"), adv.get("alternateTargetGroupArn")) if a)
    return out


def _same_targets(old, new) -> bool:
    """Two normalised loadBalancers lists that differ at most in containerName/containerPort."""
    def targets(lbs):
        return [{k: v for k, v in lb.items() if k not in ("containerName", "containerPort")} for lb in lbs or []]
    return isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and targets(old) == targets(new)


def _same_pair(old, new) -> bool:
    """A CODE_DEPLOY service's load balancer (the group it serves from now) and an ECS blue/green one
    (its pair) name the same target groups: the serving group is one of the pair."""
    if not (isinstance(old, list) and isinstance(new, list) and len(old) == len(new)):
        return False
    for was, wanted in zip(old, new):
        pair = wanted.get("targetGroupPair") or [wanted.get("targetGroupArn")]
        serving = was.get("targetGroupPair") or [was.get("targetGroupArn")]
        if not set(serving) <= set(pair):
            return False
    return True


def _deployment_configuration(d: dict) -> dict:
    breaker = d.get("deploymentCircuitBreaker") or {}
    alarms = d.get("alarms") or {}
    strategy = d.get("strategy") or "ROLLING"
    out = {
        "maximumPercent": d.get("maximumPercent", 200),
        "minimumHealthyPercent": d.get("minimumHealthyPercent", 100),
        "deploymentCircuitBreaker": {"enable": bool(breaker.get("enable")), "rollback": bool(breaker.get("rollback"))},
        "alarms": {"alarmNames": sorted(alarms.get("alarmNames") or []), "enable": bool(alarms.get("enable")), "rollback": bool(alarms.get("rollback"))},
        "strategy": strategy,
        # Hooks left over from a shifting strategy still fire on a rolling one: compared always.
        "lifecycleHooks": sorted(
            ({"targetType": h.get("targetType", "AWS_LAMBDA"), "lifecycleStages": sorted(h.get("lifecycleStages") or []),
              **{k: h[k] for k in ("hookTargetArn", "roleArn") if h.get(k)}} for h in d.get("lifecycleHooks") or []),
            key=lambda h: (h["targetType"], h["lifecycleStages"])),
    }
    if strategy != "ROLLING":
        out["bakeTimeInMinutes"] = d.get("bakeTimeInMinutes", 0)
        for key in ("canaryConfiguration", "linearConfiguration"):
            if d.get(key):
                out[key] = {k: (float(v) if "Percent" in k else v) for k, v in d[key].items()}
    return out


def api_spec(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if not k.startswith("_")}


class ServiceReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "service"
    # Capacity provider <-> launch type is in place: botocore ecs UpdateService capacityProviderStrategy
    # lists the valid transitions, back to the launch type by "an empty list".
    # botocore ecs UpdateService has no schedulingStrategy: REPLICA <-> DAEMON is a new service.
    replace_fields = ("deploymentController", "schedulingStrategy")

    def read(self, aws, res, spec):
        try:
            with aws_call(res.label, "ecs:DescribeServices"):
                found = aws.client("ecs").describe_services(cluster=spec["cluster"], services=[res.name], include=["TAGS"])["services"]
        except Exception as exc:
            if getattr(exc, "code", "") == "ClusterNotFoundException":
                return None
            raise
        found = [s for s in found if s.get("status") == "ACTIVE"]
        if not found:
            return None
        svc = found[0]
        tags = tag_dict(svc.get("tags"), "key", "value")
        state = normalise(svc, tags, spec.get("_autoscaled", False), "capacityProviderStrategy" in spec, spec.get("_targetGroupPair"))
        return Live(state=state, outputs={"arn": svc["serviceArn"], "name": res.name}, managed=owned(tags, res), raw=svc)

    def desired_state(self, res, spec, live=None):
        check_spec(spec, res.label)
        return normalise(spec, res.tags, spec.get("_autoscaled", False), "capacityProviderStrategy" in spec, spec.get("_targetGroupPair"))

    def replace_fields_for(self, live, fields=()) -> tuple[str, ...]:
        now = live.state["deploymentController"]["type"]
        wanted = next((f.new for f in fields if f.path == "deploymentController.type"), now)
        fixed = CODE_DEPLOY_FIXED
        if any(f.path == "loadBalancers" and _same_targets(f.old, f.new) for f in fields):
            # Only the container (a renamed main container, its port): the AppSpec's LoadBalancerInfo
            # carries it, so the CodeDeploy deployment apply starts ships it (botocore ecs UpdateService:
            # "If the ... load balancer need to be updated, create a new CodeDeploy deployment").
            fixed = tuple(f for f in fixed if f != "loadBalancers")
        if (now, wanted) == ("CODE_DEPLOY", "ECS"):
            if self.replace_reason(live, fields):
                return self.replace_fields + fixed
            # The switch itself sets the load balancers' advancedConfiguration (the same pair).
            return tuple(f for f in fixed if f != "loadBalancers")
        if (now, wanted) in IN_PLACE_CONTROLLER_CHANGES:
            # In place, but what ECS refuses on the new controller still replaces the service.
            return fixed
        if now == "CODE_DEPLOY":
            return self.replace_fields + fixed
        return self.replace_fields

    def replace_reason(self, live, fields=()) -> str:
        """Why AWS would not change this deployment controller in place ("" when it would, or when
        the controller does not change): the plan says it under the replaced service."""
        now = live.state["deploymentController"]["type"]
        wanted = next((f.new for f in fields if f.path == "deploymentController.type"), now)
        if now == wanted:
            return ""
        if (now, wanted) not in IN_PLACE_CONTROLLER_CHANGES:
            return f"AWS does not change the deployment controller from {now} to {wanted} in place"
        lbs = next((f for f in fields if f.path == "loadBalancers"), None)
        if (now, wanted) == ("CODE_DEPLOY", "ECS"):
            strategy = next((f.new for f in fields if f.path == "deploymentConfiguration.strategy"), "ROLLING")
            if strategy not in SHIFTING_STRATEGIES:
                return "AWS changes CODE_DEPLOY to ECS in place only for blue_green, canary or linear"
            if lbs is not None and not _same_pair(lbs.old, lbs.new):
                return "ECS blue/green must keep CodeDeploy's target groups to switch in place"
            return ""
        if lbs is not None and not _same_targets(lbs.old, lbs.new):
            return "the controller changes in place only on the same target groups; these differ"
        return ""

    def create(self, aws, res, spec):
        kwargs = api_spec(spec)
        # One token per run and content: botocore's resends are deduplicated; a later run never gets a
        # deleted service back for its token (an earlier run's crash is caught by the read below).
        token = client_token(aws, json.dumps(kwargs, sort_keys=True, default=str))
        try:
            def create():
                with aws_call(res.label, "ecs:CreateService"):
                    return aws.client("ecs").create_service(**kwargs, tags=tag_list(res.tags, "key", "value"), clientToken=token)["service"]

            svc = while_role_propagates(create, clocks.clock_for(aws).sleep)
        except Exception as exc:
            # The service exists (an earlier attempt whose answer was lost): ours if tagged so.
            if getattr(exc, "code", "") != "InvalidParameterException" or "idempotent" not in str(exc):
                raise
            return converge_existing(self, aws, res, spec, exc)
        return {"arn": svc["serviceArn"], "name": res.name}

    def update(self, aws, res, spec, live, fields):
        paths = {f.path.split(".")[0] for f in fields}
        switch = (live.state["deploymentController"]["type"], (spec.get("deploymentController") or {}).get("type", "ECS"))
        if "deploymentController" in paths and switch == ("CODE_DEPLOY", "ECS"):
            return self._to_ecs_blue_green(aws, res, spec, live, paths)
        to_code_deploy = "deploymentController" in paths and switch == ("ECS", "CODE_DEPLOY")
        if live.state["deploymentController"]["type"] == "CODE_DEPLOY" or to_code_deploy:
            # The rest (task definition, network, capacity) goes out through a CodeDeploy
            # deployment that apply starts next (deploy/after_apply.py); never forceNewDeployment.
            kwargs = {key: spec[key] for key in CODE_DEPLOY_UPDATABLE if key in paths and key in spec}
            if "desiredCount" in kwargs and spec.get("_autoscaled"):
                kwargs.pop("desiredCount")
            if to_code_deploy:
                # Only what a CODE_DEPLOY service accepts goes with the switch: the rest follows as
                # a CodeDeploy deployment, as on any CODE_DEPLOY service.
                kwargs["deploymentController"] = {"type": "CODE_DEPLOY"}
            if kwargs:
                with aws_call(res.label, "ecs:UpdateService"):
                    aws.client("ecs").update_service(cluster=spec["cluster"], service=res.name, **kwargs)
            if "tags" in paths:
                self.adopt(aws, res, spec, live)
            return live.outputs
        kwargs = {key: spec[key] for key in UPDATABLE if key in paths and key in spec}
        if "desiredCount" in kwargs and spec.get("_autoscaled"):
            kwargs.pop("desiredCount")
        if "launchType" in paths and "launchType" in spec and live.raw.get("capacityProviderStrategy"):
            # UpdateService has no launchType: "Update the Auto Scaling group or Fargate capacity
            # provider back to the launch type. Pass an empty list in the capacityProviderStrategy parameter."
            kwargs["capacityProviderStrategy"] = []
        if "capacityProviderStrategy" in kwargs:
            kwargs["forceNewDeployment"] = True  # ECS requires it to move tasks to the new providers
        if kwargs:
            update_service(aws, res.label, spec["cluster"], res.name, kwargs)
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def _to_ecs_blue_green(self, aws, res, spec, live, paths: set) -> dict:
        """CODE_DEPLOY -> ECS blue/green in place: one UpdateService with the controller, the shifting
        deployment configuration and the load balancers' advancedConfiguration (what a CODE_DEPLOY
        service accepts may go along); a new revision, network or capacity then go out as the first
        ECS blue/green deployment (a second UpdateService, which apply's watch follows)."""
        kwargs = {key: spec[key] for key in CODE_DEPLOY_UPDATABLE if key in paths and key in spec}
        if "desiredCount" in kwargs and spec.get("_autoscaled"):
            kwargs.pop("desiredCount")
        kwargs.update(deploymentController={"type": "ECS"}, deploymentConfiguration=spec["deploymentConfiguration"],
                      loadBalancers=spec["loadBalancers"])
        update_service(aws, res.label, spec["cluster"], res.name, kwargs)  # a new infrastructure role may still propagate
        rollout = {key: spec[key] for key in CODE_DEPLOY_ROLLED_OUT if key in paths and key in spec}
        if "capacityProviderStrategy" in rollout:
            rollout["forceNewDeployment"] = True  # ECS requires it to move tasks to the new providers
        if rollout:
            update_service(aws, res.label, spec["cluster"], res.name, rollout)
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        tag_ecs(aws, res, live.outputs["arn"])

    def delete(self, aws, res, live):
        ecs = aws.client("ecs")
        cluster = res.spec["cluster"]
        if live.raw.get("desiredCount") and live.raw.get("schedulingStrategy") != "DAEMON":
            with aws_call(res.label, "ecs:UpdateService"):
                ecs.update_service(cluster=cluster, service=res.name, desiredCount=0)
        with aws_call(res.label, "ecs:DeleteService"):
            ecs.delete_service(cluster=cluster, service=res.name, force=True)
        wait_inactive(aws, res.label, cluster, res.name)


def wait_inactive(aws, label: str, cluster: str, service: str, timeout: float = 600) -> None:
    """Poll until the deleted service is INACTIVE (its tasks are gone), backing off from 0.5 s to 15 s.

    Not botocore's services_inactive waiter: its fixed 15 s delay makes every destroy wait at least that long.
    """
    ecs = aws.client("ecs")
    last: dict = {}
    next_note = [0.0]

    def gone(waited: float) -> bool | None:
        with aws_call(label, "ecs:DescribeServices"):
            found = ecs.describe_services(cluster=cluster, services=[service])["services"]
        if not found or found[0].get("status") == "INACTIVE":
            return True
        last.update(found[0])
        if waited >= next_note[0]:  # a person waiting on destroy sees it move, every ~15 s
            running = found[0].get("runningCount", 0)
            note_progress(f"{label}: {str(found[0].get('status', '')).lower()}, {running} task(s) still running ({int(waited)}s)")
            next_note[0] = waited + 15
        return None

    def timed_out(waited: float) -> Exception:
        return EcsshipError(f"{label}: still {last.get('status')} after {int(waited)} s", "run `ecsship destroy` again later to finish")

    wait_for(gone, Backoff(first=0.5, factor=2.0, cap=15.0), clocks.clock_for(aws).sleep, timeout, timed_out)


def update_service(aws, label: str, cluster: str, service: str, changes: dict) -> dict:
    """The one call through which apply changes a running ECS-controlled service. Returns the service
    as ECS reports it. (CODE_DEPLOY services: ServiceReconciler.update sends only what ECS accepts.)"""
    def update():
        with aws_call(label, "ecs:UpdateService"):
            return aws.client("ecs").update_service(cluster=cluster, service=service, **changes)["service"]

    # A new infrastructure role (loadBalancers[].advancedConfiguration.roleArn) may not be assumable yet.
    return while_role_propagates(update, clocks.clock_for(aws).sleep)
