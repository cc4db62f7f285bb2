"""`ecsship status`: one read-only picture of the service, as plain data (views render it).

Reads only: DescribeServices, target health, the scalable target and its recent activity,
the deployment alarms' states. Each optional part degrades to "unknown" rather than failing.
"""
from __future__ import annotations

from functools import partial
from typing import Callable

from ecsship.aws import concurrency
from ecsship.aws.errors import aws_call
from ecsship.aws.readcache import caching_reads
from ecsship.deploy import clock as clocks
from ecsship.deploy.health import alarm_states, target_health
from ecsship.deploy.model import WAITING_APPROVAL
from ecsship.deploy.names import iso, revision_name, short_id, unsupported
from ecsship.deploy.strategies import strategy_for
from ecsship.deploy.strategies.codedeploy import CodeDeployStrategy, alarm_names_of
from ecsship.deploy.strategies.ecs import EcsStrategy


def gather(aws, settings, events: int = 10) -> dict:
    # Under the run's read cache, the rollout's DescribeServices is the one status sends (waited for in flight).
    with caching_reads(aws), concurrency.Pool().active() as pool:
        # What needs only the manifest's names is read beside DescribeServices (issue #20 item 1):
        # the rollout in progress, the scaling, and the CodeDeploy group of a manifest that names one.
        early = {"rollout": pool.submit(partial(_outcome, lambda: _rollout(aws, settings))),
                 "scaling": pool.submit(partial(_outcome, lambda: _scaling(aws, settings)))}
        if settings.uses_codedeploy:
            early["group"] = pool.submit(partial(_outcome, lambda: _group(aws, settings)))
        svc = EcsStrategy(aws, settings, clock=None).describe_service()
        controller = (svc.get("deploymentController") or {}).get("type", "ECS")
        parts = _parts(aws, settings, svc, controller, early)
    data: dict = {
        "service": svc.get("serviceName"),
        "cluster": settings.cluster,
        "status": svc.get("status"),
        "controller": controller,
        "strategy": ((svc.get("deploymentConfiguration") or {}).get("strategy") or ("CODE_DEPLOY" if controller == "CODE_DEPLOY" else "ROLLING")),
        "revision": revision_name(svc.get("taskDefinition")),
        "desired": svc.get("desiredCount", 0),
        "running": svc.get("runningCount", 0),
        "pending": svc.get("pendingCount", 0),
        "deployments": [_deployment(d) for d in svc.get("deployments", []) or []],
        "task_sets": [_task_set(t) for t in svc.get("taskSets", []) or []],
        **parts,
        "events": [{"at": iso(e.get("createdAt")), "message": e.get("message", "")} for e in (svc.get("events") or [])[:events]],
    }
    if data["listeners"] and not data["traffic"]:
        data["traffic"] = data["listeners"].get("production") or {}  # which target group is live
    return data


PARTS = ("targets", "traffic", "listeners", "rollout", "scaling", "alarms")  # the order an error among them is raised in


def _parts(aws, settings, svc: dict, controller: str, early: dict) -> dict:
    """The parts that need the service's description, side by side (issue #20 item 1), with those read
    beside it (`early`: futures). The CodeDeploy deployment group's error is raised first, then the first error
    in PARTS order, once every part ended."""
    group = None
    if controller == "CODE_DEPLOY":
        group = early["group"].result() if "group" in early else _outcome(lambda: _group(aws, settings))
        if isinstance(group, _Failed):
            raise group.error
    targets, traffic, listeners, alarms = concurrency.gather([
        partial(_outcome, lambda: _targets(aws, svc)), partial(_outcome, lambda: _traffic(aws, svc)),
        partial(_outcome, lambda: _listener_weights(aws, group) if group is not None else None),
        partial(_outcome, lambda: _alarms(aws, svc, alarm_names_of(group) if group is not None else None))])
    found = {"targets": targets, "traffic": traffic, "listeners": listeners, "rollout": early["rollout"].result(),
             "scaling": early["scaling"].result(), "alarms": alarms}
    for name in PARTS:
        if isinstance(found[name], _Failed):
            raise found[name].error
    return {name: found[name] for name in PARTS}


def _group(aws, settings) -> dict:
    return CodeDeployStrategy(aws, settings, clock=None).deployment_group()


class _Failed:
    def __init__(self, error: Exception):
        self.error = error


def _outcome(read: Callable[[], object]) -> object:
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - raised in PARTS order by _parts
        return _Failed(exc)


def _deployment(d: dict) -> dict:
    return {
        "id": d.get("id"), "status": d.get("status"), "rollout_state": d.get("rolloutState"),
        "reason": d.get("rolloutStateReason"), "revision": revision_name(d.get("taskDefinition")),
        "desired": d.get("desiredCount", 0), "pending": d.get("pendingCount", 0),
        "running": d.get("runningCount", 0), "failed": d.get("failedTasks", 0),
        "created_at": iso(d.get("createdAt")),
    }


def _task_set(t: dict) -> dict:
    return {
        "id": t.get("id"), "status": t.get("status"), "revision": revision_name(t.get("taskDefinition")),
        "desired": t.get("computedDesiredCount", 0), "pending": t.get("pendingCount", 0),
        "running": t.get("runningCount", 0), "scale": (t.get("scale") or {}).get("value"),
        "stability": t.get("stabilityStatus"), "deployment": t.get("externalId"),
    }


def _group_arns(svc: dict) -> list[str]:
    """Every target group of the service: for ECS-native blue/green both of the pair (after a swap
    the live one is the `alternateTargetGroupArn`: Service LoadBalancer.advancedConfiguration); for
    CodeDeploy the groups of its task sets too (TaskSet.loadBalancers: the replacement's is the other one)."""
    arns: list[str] = []
    balancers = list(svc.get("loadBalancers", []) or [])
    for task_set in svc.get("taskSets", []) or []:
        balancers += task_set.get("loadBalancers", []) or []
    for lb in balancers:
        adv = lb.get("advancedConfiguration") or {}
        for arn in (lb.get("targetGroupArn"), adv.get("alternateTargetGroupArn")):
            if arn and arn not in arns:
                arns.append(arn)
    return arns


def _targets(aws, svc: dict) -> dict:
    return {short_id(arn): dict(counts) for arn, counts in target_health(aws, _group_arns(svc)).items()}


def _traffic(aws, svc: dict) -> dict:
    """{target group: production traffic weight %} from the production listener rule's forward action
    (ELBv2 DescribeRules: Actions[].ForwardConfig.TargetGroups[].Weight): which group is live now."""
    rules = [(lb.get("advancedConfiguration") or {}).get("productionListenerRule") for lb in svc.get("loadBalancers", []) or []]
    rules = [r for r in rules if r]
    if not rules:
        return {}
    with aws_call("production listener rule", "elbv2:DescribeRules"):
        found = aws.client("elbv2").describe_rules(RuleArns=rules).get("Rules", [])
    weights: dict = {}
    for rule in found:
        for action in rule.get("Actions", []):
            weights.update(_forward_weights(action))
    return weights


def _forward_weights(action: dict) -> dict:
    """{target group name: % of the traffic} of one forward action (ELBv2 Action.ForwardConfig.TargetGroups
    weights; a plain TargetGroupArn takes it all)."""
    groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
    if not groups and action.get("TargetGroupArn"):
        groups = [{"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}]
    total = sum(g.get("Weight", 1) for g in groups) or 1
    return {short_id(g["TargetGroupArn"]): round(100.0 * g.get("Weight", 1) / total, 1) for g in groups}


def _listener_weights(aws, group: dict) -> dict:
    """A CodeDeploy blue/green service: {"production"|"test": {target group: weight %}} on its listeners.
    The deployment group names the target group pair and the listeners (DeploymentGroupInfo.loadBalancerInfo
    .targetGroupPairInfoList: targetGroups, prodTrafficRoute / testTrafficRoute.listenerArns); CodeDeploy
    moves traffic by rewriting what forwards to the pair there, so the listener's rules (ELBv2 DescribeRules:
    the default rule too, IsDefault) say where it goes now: the first rule in priority order forwarding to
    the pair (a host/path rule on a shared listener before the default action)."""
    pair = ((group.get("loadBalancerInfo") or {}).get("targetGroupPairInfoList") or [{}])[0]
    names = {tg.get("name") for tg in pair.get("targetGroups", []) or []}

    def route_weights(key: str) -> dict:
        for listener in (pair.get(key) or {}).get("listenerArns") or []:
            weights = _pair_weights(aws, listener, names)
            if weights:
                return weights
        return {}

    routes = ("production", "prodTrafficRoute"), ("test", "testTrafficRoute")
    found = concurrency.gather([partial(route_weights, key) for _, key in routes])  # side by side
    return {route: weights for (route, _), weights in zip(routes, found) if weights}


def _pair_weights(aws, listener: str, names: set) -> dict:
    rules: list[dict] = []
    with aws_call("a listener of the CodeDeploy deployment group", "elbv2:DescribeRules"):
        for page in aws.client("elbv2").get_paginator("describe_rules").paginate(ListenerArn=listener):
            rules += page.get("Rules", [])
    rules.sort(key=lambda r: (r.get("IsDefault", False), int(r["Priority"]) if str(r.get("Priority", "")).isdigit() else 0))
    for rule in rules:
        for action in rule.get("Actions", []):
            weights = _forward_weights(action) if action.get("Type") == "forward" else {}
            if set(weights) & names:
                return weights
    return {}


def _rollout(aws, settings) -> dict | None:
    """The deployment in progress, as the watcher sees it: phase and whether it waits for approval."""
    tracker = strategy_for(aws, settings, clocks.clock_for(aws)).attach()
    if tracker is None:
        return None
    snap = tracker.poll()
    return {"deployment": short_id(tracker.id), "deployment_arn": tracker.id, "state": snap.state, "phase": snap.phase,
            "waiting_approval": snap.state == WAITING_APPROVAL, "old": revision_name(tracker.old_td),
            "new": revision_name(tracker.new_td)}


def _scaling(aws, settings) -> dict | None:
    from botocore.exceptions import ClientError

    client = aws.client("application-autoscaling")
    resource_id = f"service/{settings.cluster}/{settings.service}"

    def scalable_targets() -> list:
        with aws_call(f"scalable target {resource_id}", "application-autoscaling:DescribeScalableTargets"):
            return client.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource_id]).get("ScalableTargets", [])

    def activities() -> list | None:
        try:
            acts = client.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=resource_id, MaxResults=5).get("ScalingActivities", [])
        except ClientError as exc:
            if not unsupported(exc):
                raise
            return None  # this endpoint does not say
        return [{"at": iso(a.get("StartTime")), "status": a.get("StatusCode"), "description": a.get("Description", "")} for a in acts]

    # A manifest with `scaling:` has a scalable target once applied: its activities are read beside it
    # (issue #20 item 1); without, only when a target turns up (one read for a service that has none).
    targets, *acts = concurrency.gather([scalable_targets, activities] if settings.scaling else [scalable_targets])
    if not targets:
        return None
    t = targets[0]
    return {"min": t.get("MinCapacity"), "max": t.get("MaxCapacity"),
            "suspended": {k: v for k, v in (t.get("SuspendedState") or {}).items() if v},
            "activities": acts[0] if acts else activities()}


def _alarms(aws, svc: dict, names: list[str] | None = None) -> list[dict]:
    if names is None:
        names = (((svc.get("deploymentConfiguration") or {}).get("alarms") or {}).get("alarmNames")) or []
    return [{"name": name, "state": state or None} for name, state in alarm_states(aws, names)]
