"""What AWS says about a service that a price depends on: how many availability zones its subnets span
(interface endpoints are billed per AZ-hour) and how much its log group ingested lately. Read-only.

CloudWatch Logs publishes `IncomingBytes` per log group in the `AWS/Logs` namespace ("Monitoring with
CloudWatch metrics", CloudWatch Logs user guide): its Sum over the last 7 days, scaled to a month, is
the ingestion the estimate uses. No datapoint (a new or idle group) leaves the stated assumption.
"""
from __future__ import annotations

import datetime

from ecsship.aws.errors import aws_call
from ecsship.reconcilers import reconciler_for

DAYS = 7
DAYS_PER_MONTH = 730 / 24


def observe(aws, desired, shape, now: datetime.datetime | None = None) -> dict:
    out: dict = {}
    network = next((r for r in desired.resources if r.kind == "network"), None)
    if network is not None and shape.endpoints:
        live = reconciler_for("network").read(aws, network, network.spec)
        out["availability_zones"] = len(live.outputs.get("azs") or []) or None
    groups = ec2_groups(aws, shape)
    if groups:
        out["ec2"] = groups
    if shape.log_group:
        gb = log_ingest_gb_month(aws, shape.log_group, now)
        if gb is not None:
            out["log_gb_month"] = gb
    return out


FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


def ec2_groups(aws, shape) -> list[dict]:
    """The Auto Scaling groups behind the service's EC2 capacity providers (the manifest's strategy, else
    the cluster's default): instance type, min and max size, and the Spot share of a mixed instances
    policy (ECS DescribeCapacityProviders `autoScalingGroupProvider.autoScalingGroupArn`; Auto Scaling
    DescribeAutoScalingGroups `MixedInstancesPolicy.InstancesDistribution.OnDemandPercentageAboveBaseCapacity`)."""
    providers = [p for p, _, _ in shape.capacity if p.upper() not in FARGATE_PROVIDERS]
    if not providers and shape.launch == "ec2" and not shape.capacity:
        with aws_call(f"cluster {shape.cluster}", "ecs:DescribeClusters"):
            clusters = aws.client("ecs").describe_clusters(clusters=[shape.cluster])["clusters"]
        providers = [s["capacityProvider"] for c in clusters for s in c.get("defaultCapacityProviderStrategy") or []
                     if s["capacityProvider"].upper() not in FARGATE_PROVIDERS]
    if not providers:
        return []
    with aws_call(f"capacity providers {', '.join(providers)}", "ecs:DescribeCapacityProviders"):
        found = aws.client("ecs").describe_capacity_providers(capacityProviders=providers)["capacityProviders"]
    groups = []
    for provider in found:
        arn = (provider.get("autoScalingGroupProvider") or {}).get("autoScalingGroupArn", "")
        name = arn.split("autoScalingGroupName/", 1)[-1]
        if not name:
            continue
        with aws_call(f"Auto Scaling group {name}", "autoscaling:DescribeAutoScalingGroups"):
            asgs = aws.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
        for asg in asgs:
            groups.append({"provider": provider["name"], "instance_type": _instance_type(aws, asg), "min": asg["MinSize"],
                           "max": asg["MaxSize"], "spot_share": _spot_share(asg)})
    return groups


def _instance_type(aws, asg: dict) -> str:
    mixed = asg.get("MixedInstancesPolicy") or {}
    overrides = (mixed.get("LaunchTemplate") or {}).get("Overrides") or []
    if overrides and overrides[0].get("InstanceType"):
        return overrides[0]["InstanceType"]
    template = asg.get("LaunchTemplate") or (mixed.get("LaunchTemplate") or {}).get("LaunchTemplateSpecification")
    if template:
        ref = {"LaunchTemplateId": template["LaunchTemplateId"]} if template.get("LaunchTemplateId") else {"LaunchTemplateName": template["LaunchTemplateName"]}
        with aws_call(f"launch template {next(iter(ref.values()))}", "ec2:DescribeLaunchTemplateVersions"):
            versions = aws.client("ec2").describe_launch_template_versions(Versions=[template.get("Version") or "$Default"], **ref)
        for version in versions.get("LaunchTemplateVersions") or []:
            if version.get("LaunchTemplateData", {}).get("InstanceType"):
                return version["LaunchTemplateData"]["InstanceType"]
    instances = asg.get("Instances") or []
    return instances[0].get("InstanceType", "unknown") if instances else "unknown"


def _spot_share(asg: dict) -> float:
    dist = (asg.get("MixedInstancesPolicy") or {}).get("InstancesDistribution") or {}
    if not dist:
        return 0.0
    return round(1 - float(dist.get("OnDemandPercentageAboveBaseCapacity", 100)) / 100, 2)


def log_ingest_gb_month(aws, log_group: str, now: datetime.datetime | None = None) -> float | None:
    end = now or datetime.datetime.now(datetime.timezone.utc)
    with aws_call(f"log group {log_group}", "cloudwatch:GetMetricStatistics"):
        points = aws.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/Logs", MetricName="IncomingBytes", Dimensions=[{"Name": "LogGroupName", "Value": log_group}],
            StartTime=end - datetime.timedelta(days=DAYS), EndTime=end, Period=86400, Statistics=["Sum"])["Datapoints"]
    if not points:
        return None
    total = sum(p["Sum"] for p in points)
    return total / 1024**3 / DAYS * DAYS_PER_MONTH


def utilisation(aws, cluster: str, service: str, days: int, insights: bool,
                now: datetime.datetime | None = None) -> tuple[list[float], list[float], str]:
    """Hourly CPU averages and memory maxima in percent of what the tasks reserve, oldest first, and
    the source's name."""
    end = now or datetime.datetime.now(datetime.timezone.utc)
    start = end - datetime.timedelta(days=days)
    dims = [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": service}]
    cw = aws.client("cloudwatch")

    def series(namespace: str, metric: str, stat: str) -> dict:
        with aws_call(f"service {service} metrics", "cloudwatch:GetMetricStatistics"):
            points = cw.get_metric_statistics(Namespace=namespace, MetricName=metric, Dimensions=dims, StartTime=start,
                                              EndTime=end, Period=3600, Statistics=[stat])["Datapoints"]
        return {p["Timestamp"]: p[stat] for p in points}

    if insights:
        used_cpu, reserved_cpu = series("ECS/ContainerInsights", "CpuUtilized", "Average"), series("ECS/ContainerInsights", "CpuReserved", "Average")
        used_mem, reserved_mem = series("ECS/ContainerInsights", "MemoryUtilized", "Maximum"), series("ECS/ContainerInsights", "MemoryReserved", "Average")
        cpu = [100 * used_cpu[t] / reserved_cpu[t] for t in sorted(used_cpu) if reserved_cpu.get(t)]
        mem = [100 * used_mem[t] / reserved_mem[t] for t in sorted(used_mem) if reserved_mem.get(t)]
        if cpu and mem:
            return cpu, mem, "ECS/ContainerInsights"
    cpu_pct, mem_pct = series("AWS/ECS", "CPUUtilization", "Average"), series("AWS/ECS", "MemoryUtilization", "Maximum")
    return [cpu_pct[t] for t in sorted(cpu_pct)], [mem_pct[t] for t in sorted(mem_pct)], "AWS/ECS"
