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
    if shape.log_group:
        gb = log_ingest_gb_month(aws, shape.log_group, now)
        if gb is not None:
            out["log_gb_month"] = gb
    return out


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
