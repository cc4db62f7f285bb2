"""Read a running ECS service and what surrounds it, for `ecsship import`: read calls only, by name or
ARN (never a listing of the account), into one plain dict that manifest/from_live.py converts.

What is read: the service (DescribeServices with tags), its task definition, its subnets' VPC, the
target group (with its attributes) and the listener rule forwarding to it (with the ALB's name and
the listener's port), the scalable target and its scaling policies, the alarms on the service's and
target group's metrics (DescribeAlarmsForMetric), and the log group the main container writes to.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.errors import EcsshipError

# Alarms ecsship looks for: on these metrics of the service and of its target group
# (CloudWatch DescribeAlarmsForMetric needs the metric's exact dimensions).
ECS_METRICS = ("CPUUtilization", "MemoryUtilization")
TARGET_GROUP_METRICS = ("HTTPCode_Target_5XX_Count", "TargetResponseTime", "UnHealthyHostCount")


def read_live_service(aws, cluster: str, service: str) -> dict:
    ecs = aws.client("ecs")
    label = f"service {service} in cluster {cluster}"
    with aws_call(label, "ecs:DescribeServices"):
        found = ecs.describe_services(cluster=cluster, services=[service], include=["TAGS"])
    services = [s for s in found.get("services", []) if s.get("status") == "ACTIVE"]
    if not services:
        raise EcsshipError(f"no active service {service} in cluster {cluster}",
                           "check the names (`aws ecs list-services --cluster CLUSTER`) and the region (--region)")
    svc = services[0]
    with aws_call(f"task definition of {label}", "ecs:DescribeTaskDefinition"):
        td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"], include=["TAGS"])["taskDefinition"]
    live: dict = {"region": aws.region, "service": svc, "task_definition": td}
    subnets = ((svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get("subnets") or []
    if subnets:
        with aws_call(f"subnets of {label}", "ec2:DescribeSubnets"):
            described = aws.client("ec2").describe_subnets(SubnetIds=subnets[:1])["Subnets"]
        live["vpc_id"] = described[0]["VpcId"] if described else None
    live["load_balancers"] = [_load_balancer(aws, lb) for lb in svc.get("loadBalancers") or [] if lb.get("targetGroupArn")]
    live["scaling"] = _scaling(aws, cluster, service)
    live["alarms"] = _alarms(aws, cluster, service, live["load_balancers"])
    live["log_group"] = _log_group(aws, td)
    return live


def _load_balancer(aws, lb: dict) -> dict:
    elb = aws.client("elbv2")
    tg_arn = lb["targetGroupArn"]
    with aws_call(f"target group {tg_arn.rsplit('/', 2)[-2]}", "elasticloadbalancing:DescribeTargetGroups"):
        group = elb.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"][0]
    with aws_call(f"target group {group['TargetGroupName']}", "elasticloadbalancing:DescribeTargetGroupAttributes"):
        attributes = elb.describe_target_group_attributes(TargetGroupArn=tg_arn)["Attributes"]
    out: dict = {"target_group": group, "attributes": {a["Key"]: a["Value"] for a in attributes},
                 "container_name": lb.get("containerName"), "container_port": lb.get("containerPort")}
    # Every rule (and listener default action) forwarding to the group: adoption takes over the first
    # rule; the others keep the group in use, which its delete (destroy) would then be refused for.
    others: list[str] = []
    for alb_arn in group.get("LoadBalancerArns") or []:
        with aws_call("load balancer of the target group", "elasticloadbalancing:DescribeLoadBalancers"):
            alb = elb.describe_load_balancers(LoadBalancerArns=[alb_arn])["LoadBalancers"][0]
        with aws_call(f"listeners of {alb['LoadBalancerName']}", "elasticloadbalancing:DescribeListeners"):
            listeners = elb.describe_listeners(LoadBalancerArn=alb_arn)["Listeners"]
        out.setdefault("alb", alb)
        for listener in listeners:
            where = f"{alb['LoadBalancerName']}:{listener['Port']}"
            with aws_call(f"rules of {where}", "elasticloadbalancing:DescribeRules"):
                pages = elb.get_paginator("describe_rules").paginate(ListenerArn=listener["ListenerArn"])
                rules = [rule for page in pages for rule in page["Rules"] if tg_arn in _forwards_to(rule)]
            for rule in rules:
                if not rule.get("IsDefault") and "rule" not in out:
                    out.update(alb=alb, listener=listener, rule=rule)
                else:
                    others.append(f"{where} " + ("default action" if rule.get("IsDefault") else f"rule at priority {rule['Priority']}"))
    out["other_forwarders"] = others
    return out


def _forwards_to(rule: dict) -> set:
    arns = set()
    for action in rule.get("Actions") or []:
        if action.get("TargetGroupArn"):
            arns.add(action["TargetGroupArn"])
        for tg in ((action.get("ForwardConfig") or {}).get("TargetGroups") or []):
            arns.add(tg.get("TargetGroupArn"))
    return arns


def _scaling(aws, cluster: str, service: str) -> dict | None:
    scaling = aws.client("application-autoscaling")
    resource = f"service/{cluster}/{service}"
    with aws_call(f"scalable target {resource}", "application-autoscaling:DescribeScalableTargets"):
        targets = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource],
                                                    ScalableDimension="ecs:service:DesiredCount")["ScalableTargets"]
    if not targets:
        return None
    with aws_call(f"scaling policies of {resource}", "application-autoscaling:DescribeScalingPolicies"):
        policies = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource,
                                                     ScalableDimension="ecs:service:DesiredCount")["ScalingPolicies"]
    with aws_call(f"scheduled actions of {resource}", "application-autoscaling:DescribeScheduledActions"):
        scheduled = scaling.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=resource,
                                                       ScalableDimension="ecs:service:DesiredCount").get("ScheduledActions", [])
    return {"target": targets[0], "policies": policies, "scheduled": scheduled}


def _alarms(aws, cluster: str, service: str, load_balancers: list) -> list[dict]:
    cw = aws.client("cloudwatch")
    queries = [("AWS/ECS", m, [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": service}]) for m in ECS_METRICS]
    for lb in load_balancers:
        alb_arn, tg_arn = (lb.get("alb") or {}).get("LoadBalancerArn"), lb["target_group"]["TargetGroupArn"]
        if alb_arn:
            dims = [{"Name": "LoadBalancer", "Value": alb_arn.split(":loadbalancer/", 1)[-1]},
                    {"Name": "TargetGroup", "Value": tg_arn.rsplit(":", 1)[-1]}]
            queries += [("AWS/ApplicationELB", m, dims) for m in TARGET_GROUP_METRICS]
    alarms: dict = {}
    for namespace, metric, dims in queries:
        with aws_call(f"alarms on {metric}", "cloudwatch:DescribeAlarmsForMetric"):
            for alarm in cw.describe_alarms_for_metric(Namespace=namespace, MetricName=metric, Dimensions=dims).get("MetricAlarms", []):
                alarms[alarm["AlarmName"]] = alarm
    return [alarms[name] for name in sorted(alarms)]


def _log_group(aws, td: dict) -> dict | None:
    containers = td.get("containerDefinitions") or []
    config = (containers[0].get("logConfiguration") or {}) if containers else {}
    name = (config.get("options") or {}).get("awslogs-group")
    if config.get("logDriver") != "awslogs" or not name:
        return None
    with aws_call(f"log group {name}", "logs:DescribeLogGroups"):
        groups = aws.client("logs").describe_log_groups(logGroupNamePrefix=name, limit=5)["logGroups"]
    group = next((g for g in groups if g["logGroupName"] == name), None)
    return group or {"logGroupName": name, "missing": True}
