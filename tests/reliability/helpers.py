"""Shared by the reliability tests: a normalised snapshot of everything ecsship can create,
read back with boto3, and a way to make every in-process Aws object carry extra event hooks.

The snapshot keeps names, key fields and counts, and drops what differs between two equal
runs (ids, ARNs' random parts, timestamps), so `snapshot(a) == snapshot(b)` means "the same
resources, the same settings, no duplicate".
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = {name: str(REPO / "examples" / name / "ecsship.yaml") for name in ("worker", "web", "bluegreen")}
SERVICES = {"worker": "worker", "web": "checkout-api", "bluegreen": "checkout-api-bg"}

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ID = re.compile(r"(sg|vpce|subnet|vpc|rtb)-[0-9a-f]+|arn:aws:[^\s\"']+")


def _norm(value):
    """Replace ids and ARNs by their kind so two equal runs compare equal."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return sorted((_norm(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, str):
        return _ID.sub(lambda m: _arn_shape(m.group(0)), value)
    return value


def _arn_shape(text: str) -> str:
    if not text.startswith("arn:"):
        return text.split("-")[0] + "-*"
    # keep service and resource type/name, drop random suffixes and ids
    parts = text.split(":", 5)
    resource = parts[5] if len(parts) > 5 else ""
    resource = re.sub(r"/[0-9a-f]{16,}$", "/*", resource)
    resource = re.sub(r"(targetgroup/[^/]+)/.*", r"\1", resource)
    resource = re.sub(r"(listener(-rule)?/app/[^/]+)/.*", r"\1", resource)
    resource = re.sub(r"-[A-Za-z0-9]{6}$", "", resource) if parts[2] == "secretsmanager" else resource
    return f"arn:{parts[2]}:{resource}"


def _tags(items, key="Key", value="Value") -> dict:
    return {t[key]: t[value] for t in items or []}


def snapshot(aws, cluster: str = "shop") -> dict:
    """Everything of the kinds ecsship manages, in the whole (test) account, normalised."""
    snap: dict = {}
    ecs = aws.client("ecs")
    snap["clusters"] = sorted(
        (c["clusterName"], c["status"]) for c in ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"]
    )
    arns = ecs.list_services(cluster=cluster)["serviceArns"] if any(c[0] == cluster for c in snap["clusters"]) else []
    services = ecs.describe_services(cluster=cluster, services=arns)["services"] if arns else []
    snap["services"] = sorted(
        (s["serviceName"], s["status"], s["desiredCount"], s["taskDefinition"].rsplit("/", 1)[-1],
         s.get("launchType", ""), (s.get("deploymentController") or {}).get("type", "ECS"),
         len(s.get("loadBalancers", [])))
        for s in services
    )
    families = ecs.list_task_definition_families(status="ACTIVE")["families"]
    taskdefs = {}
    for family in families:
        revisions = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
        contents = []
        for arn in revisions:
            td = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
            contents.append(json.dumps(_norm({k: td.get(k) for k in ("containerDefinitions", "cpu", "memory", "networkMode",
                                                                      "executionRoleArn", "taskRoleArn", "runtimePlatform")}),
                                       sort_keys=True, default=str))
        # no two revisions with the same content
        taskdefs[family] = {"revisions": len(revisions), "distinct": len(set(contents))}
    snap["task_definitions"] = taskdefs

    iam = aws.client("iam")
    roles = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        if name.startswith("AWSServiceRole"):
            continue
        policies = {p: _norm(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
                    for p in iam.list_role_policies(RoleName=name)["PolicyNames"]}
        attached = sorted(p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"])
        tags = _tags(iam.list_role_tags(RoleName=name)["Tags"])
        roles[name] = {"policies": policies, "attached": attached, "tags": tags}
    snap["roles"] = roles

    logs = aws.client("logs")
    snap["log_groups"] = sorted((g["logGroupName"], g.get("retentionInDays")) for g in logs.describe_log_groups()["logGroups"])

    ec2 = aws.client("ec2")
    groups = Counter()
    rules = {}
    for sg in ec2.describe_security_groups()["SecurityGroups"]:
        groups[(sg["GroupName"], sg["VpcId"])] += 1
        rules[sg["GroupName"]] = _norm({"in": sg.get("IpPermissions", []), "tags": _tags(sg.get("Tags"))})
    snap["security_groups"] = sorted(((name, count) for (name, _), count in groups.items()))
    snap["security_group_rules"] = rules
    endpoints = [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() not in ("deleted", "deleting")]
    snap["vpc_endpoints"] = sorted(Counter((e["ServiceName"], e["VpcEndpointType"]) for e in endpoints).items())
    snap["vpc_endpoint_users"] = sorted(
        (e["ServiceName"], tuple(sorted(t["Key"] for t in e.get("Tags", []) if t["Key"].startswith("ecsship:user:"))))
        for e in endpoints)

    elb = aws.client("elbv2")
    tgs = elb.describe_target_groups()["TargetGroups"]
    snap["target_groups"] = sorted(Counter(
        (t["TargetGroupName"], t["Port"], t.get("HealthCheckPath"), t.get("TargetType")) for t in tgs).items())
    listener_rules = []
    for lb in elb.describe_load_balancers()["LoadBalancers"]:
        for listener in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
            for rule in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]:
                if rule["IsDefault"]:
                    continue
                listener_rules.append((lb["LoadBalancerName"], listener["Port"], rule["Priority"],
                                       json.dumps(_norm(rule["Conditions"]), sort_keys=True),
                                       json.dumps(_norm([{k: v for k, v in a.items() if k != "Order"} for a in rule["Actions"]]), sort_keys=True)))
    snap["listener_rules"] = sorted(listener_rules)

    scaling = aws.client("application-autoscaling")
    snap["scalable_targets"] = sorted((t["ResourceId"], t["MinCapacity"], t["MaxCapacity"])
                                      for t in scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"])
    snap["scaling_policies"] = sorted(Counter((p["ResourceId"], p["PolicyName"], p["PolicyType"])
                                              for p in scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]).items())
    snap["scheduled_actions"] = sorted(Counter((a["ResourceId"], a["ScheduledActionName"], a["Schedule"])
                                               for a in scaling.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]).items())

    cloudwatch = aws.client("cloudwatch")
    snap["alarms"] = sorted((_UUID.sub("*", a["AlarmName"]), a["MetricName"] if "MetricName" in a else "", a.get("Threshold"))
                            for a in cloudwatch.describe_alarms()["MetricAlarms"]
                            # AWS-managed alarms of target-tracking policies: the local backend (moto) adds a
                            # new pair on every PutScalingPolicy, AWS updates them; the policies are compared.
                            if not a["AlarmName"].startswith("TargetTracking-"))

    codedeploy = aws.client("codedeploy")
    apps = codedeploy.list_applications()["applications"]
    snap["codedeploy"] = sorted((app, tuple(sorted(codedeploy.list_deployment_groups(applicationName=app)["deploymentGroups"])))
                                for app in apps)
    snap["codedeploy_configs"] = sorted(c for c in codedeploy.list_deployment_configs()["deploymentConfigsList"]
                                        if not c.startswith("CodeDeployDefault"))
    ssm = aws.client("ssm")
    # Every page: DescribeParameters may answer an empty page with a NextToken (the local AWS does).
    pages = ssm.get_paginator("describe_parameters").paginate(
        ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/ecsship/locks/"]}])
    snap["locks"] = [p["Name"] for page in pages for p in page["Parameters"]]
    return snap


def diff_snapshots(a: dict, b: dict) -> dict:
    return {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}


def hook_every_aws(monkeypatch, install):
    """Call install(aws_obj) on every ecsship Aws object made in this process from now on."""
    from ecsship.aws import session

    original = session.Aws.__init__
    made: list = []

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        install(self)
        made.append(self)

    monkeypatch.setattr(session.Aws, "__init__", init)
    return made


_CLEAN: dict = {}


def clean_snapshot(aws, run_cli, name: str) -> dict:
    """The snapshot after an uninterrupted, fault-free `apply --no-wait` of an example on a fresh
    backend (computed once per example and session); leaves the backend reset."""
    if name not in _CLEAN:
        result = run_cli("apply", "--no-wait", "-f", EXAMPLES[name], "--yes")
        assert result.exit_code == 0, result.output
        _CLEAN[name] = snapshot(aws)
        aws.reset()
    return _CLEAN[name]


_DESTROYED: dict = {}


def destroyed_snapshot(aws, run_cli, name: str) -> dict:
    """The snapshot after a clean apply then `destroy --yes` on a fresh backend (once per example)."""
    if name not in _DESTROYED:
        aws.reset()
        for args in (("apply", "--no-wait"), ("destroy",)):
            result = run_cli(*args, "-f", EXAMPLES[name], "--yes")
            assert result.exit_code == 0, result.output
        _DESTROYED[name] = snapshot(aws)
        aws.reset()
    return _DESTROYED[name]


class SimulatedCrash(BaseException):
    """The process dies: not an Exception, so no `except Exception` handler sees it."""


def is_lock_call(operation: str, params: dict) -> bool:
    return operation in ("PutParameter", "DeleteParameter") and str(params.get("Name", "")).startswith("/ecsship/locks/")
