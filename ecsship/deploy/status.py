"""`ecsship status`: one read-only picture of the service, as plain data (views render it).

Reads only: DescribeServices, target health, the scalable target and its recent activity,
the deployment alarms' states. Each optional part degrades to "unknown" rather than failing.
"""
from __future__ import annotations

from collections import Counter

from ecsship.aws.errors import aws_call
from ecsship.deploy.names import revision_name, unsupported


def gather(aws, settings, events: int = 10) -> dict:
    from ecsship.deploy.strategies.ecs import EcsStrategy

    strategy = EcsStrategy(aws, settings, clock=None)
    svc = strategy.describe_service()
    controller = (svc.get("deploymentController") or {}).get("type", "ECS")
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
        "targets": _targets(aws, svc),
        "scaling": _scaling(aws, settings),
        "alarms": _alarms(aws, svc, _codedeploy_alarm_names(aws, settings) if controller == "CODE_DEPLOY" else None),
        "events": [{"at": str(e.get("createdAt", "")), "message": e.get("message", "")} for e in (svc.get("events") or [])[:events]],
    }
    return data


def _deployment(d: dict) -> dict:
    return {
        "id": d.get("id"), "status": d.get("status"), "rollout_state": d.get("rolloutState"),
        "reason": d.get("rolloutStateReason"), "revision": revision_name(d.get("taskDefinition")),
        "desired": d.get("desiredCount", 0), "pending": d.get("pendingCount", 0),
        "running": d.get("runningCount", 0), "failed": d.get("failedTasks", 0),
        "created_at": str(d.get("createdAt", "")),
    }


def _task_set(t: dict) -> dict:
    return {
        "id": t.get("id"), "status": t.get("status"), "revision": revision_name(t.get("taskDefinition")),
        "desired": t.get("computedDesiredCount", 0), "pending": t.get("pendingCount", 0),
        "running": t.get("runningCount", 0), "scale": (t.get("scale") or {}).get("value"),
        "stability": t.get("stabilityStatus"), "deployment": t.get("externalId"),
    }


def _targets(aws, svc: dict) -> dict:
    groups = [lb["targetGroupArn"] for lb in svc.get("loadBalancers", []) or [] if lb.get("targetGroupArn")]
    out: dict = {}
    if not groups:
        return out
    elb = aws.client("elbv2")
    for arn in groups:
        name = arn.split(":targetgroup/")[-1].split("/")[0]
        with aws_call(f"target group {name}", "elbv2:DescribeTargetHealth"):
            resp = elb.describe_target_health(TargetGroupArn=arn)
        out[name] = dict(Counter(t.get("TargetHealth", {}).get("State", "unknown") for t in resp.get("TargetHealthDescriptions", [])))
    return out


def _scaling(aws, settings) -> dict | None:
    from botocore.exceptions import ClientError

    client = aws.client("application-autoscaling")
    resource_id = f"service/{settings.cluster}/{settings.service}"
    with aws_call(f"scalable target {resource_id}", "application-autoscaling:DescribeScalableTargets"):
        targets = client.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource_id]).get("ScalableTargets", [])
    if not targets:
        return None
    t = targets[0]
    out = {"min": t.get("MinCapacity"), "max": t.get("MaxCapacity"),
           "suspended": {k: v for k, v in (t.get("SuspendedState") or {}).items() if v}, "activities": []}
    try:
        acts = client.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=resource_id, MaxResults=5).get("ScalingActivities", [])
        out["activities"] = [{"at": str(a.get("StartTime", "")), "status": a.get("StatusCode"), "description": a.get("Description", "")} for a in acts]
    except ClientError as exc:
        if not unsupported(exc):
            raise
        out["activities"] = None  # this endpoint does not say
    return out


def _codedeploy_alarm_names(aws, settings) -> list[str]:
    from ecsship.deploy.strategies.codedeploy import CodeDeployStrategy

    return CodeDeployStrategy(aws, settings, clock=None).group_alarm_names()


def _alarms(aws, svc: dict, names: list[str] | None = None) -> list[dict]:
    if names is None:
        names = (((svc.get("deploymentConfiguration") or {}).get("alarms") or {}).get("alarmNames")) or []
    if not names:
        return []
    with aws_call("deployment alarms", "cloudwatch:DescribeAlarms"):
        resp = aws.client("cloudwatch").describe_alarms(AlarmNames=names[:100])
    return [{"name": a["AlarmName"], "state": a.get("StateValue")} for a in resp.get("MetricAlarms", [])]
