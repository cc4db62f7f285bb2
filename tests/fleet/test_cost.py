"""`ecsship cost` against the local AWS, and the cost line `plan` ends with (issue #19 "Cost").

AZs come from the service's subnets (NetworkLookup: the seeded private subnets span us-east-1a and
us-east-1b); interface endpoints are billed per AZ-hour (Amazon VPC pricing, "AWS PrivateLink").
"""
from __future__ import annotations

import json
from pathlib import Path

from tests.deploy.test_e2e import WORKER, applied, sim  # noqa: F401


def test_cost_json_plan_cost_line_before_and_after(sim, run_cli, aws, tmp_path):  # noqa: F811
    new = run_cli("plan", "-f", WORKER)
    assert new.exit_code == 0, new.output
    assert new.stdout.rstrip().splitlines()[-1].startswith("Monthly cost (min-max tasks): $0.00 → $"), new.stdout

    applied(run_cli, aws, WORKER, "worker")
    same = run_cli("plan", "-f", WORKER)
    assert "Monthly cost" not in same.stdout  # nothing changes, no line

    bigger = tmp_path / "worker.yaml"
    bigger.write_text(Path(WORKER).read_text().replace("cpu: 256\nmemory: 512", "cpu: 512\nmemory: 1024").replace("max: 10", "max: 12"))
    moved = run_cli("plan", "-f", str(bigger))
    assert moved.exit_code == 0, moved.output
    line = moved.stdout.rstrip().splitlines()[-1]
    report = json.loads(run_cli("cost", "-f", WORKER, "-o", "json").stdout)
    before = f"${report['monthly']['min']:,.2f}-${report['monthly']['max']:,.2f}"
    after = json.loads(run_cli("cost", "-f", str(bigger), "-o", "json").stdout)["monthly"]
    assert line.startswith(f"Monthly cost (min-max tasks): {before} → ${after['min']:,.2f}-${after['max']:,.2f}"), (line, report)

    assert report["currency"] == "USD" and report["region"] == "us-east-1" and report["prices_as_of"]
    assert {i["kind"] for i in report["items"]} == {"fargate", "fargate_spot", "vpc_endpoint", "alarm", "logs"}
    endpoint = next(i for i in report["items"] if i["kind"] == "vpc_endpoint")
    assert "2 AZs (the service's subnets)" in endpoint["basis"] and endpoint["monthly_min"] == 14.6
    assert sorted(i["name"] for i in report["items"] if i["kind"] == "vpc_endpoint") == [
        "ecr.api (shared)", "ecr.dkr (shared)", "logs (shared)"]  # s3 is a gateway endpoint: free
    assert all(set(i) == {"service", "kind", "name", "monthly_min", "monthly_max", "basis"} for i in report["items"])
    assert round(sum(i["monthly_min"] for i in report["items"]), 2) == report["monthly"]["min"]

    refresh = run_cli("cost", "-f", WORKER, "--refresh-prices")
    assert refresh.exit_code == 0 and "Price List API cannot be read" in refresh.output and "shipped" in refresh.output


def test_rightsize_reads_the_service_metrics_or_says_there_are_too_few(run_cli, aws):
    """AWS/ECS CPUUtilization / MemoryUtilization per ClusterName+ServiceName (ECS developer guide,
    "Amazon ECS CloudWatch metrics"); the worker example has no Container Insights."""
    import datetime

    empty = run_cli("rightsize", "-f", WORKER)
    assert empty.exit_code == 0 and "not enough data: 0 hours" in empty.stdout, empty.output
    now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
    dims = [{"Name": "ClusterName", "Value": "shop"}, {"Name": "ServiceName", "Value": "worker"}]
    for metric, value in (("CPUUtilization", 95.0), ("MemoryUtilization", 30.0)):
        data = [{"MetricName": metric, "Dimensions": dims, "Timestamp": now - datetime.timedelta(hours=h, minutes=30),
                 "Value": value, "Unit": "Percent"} for h in range(1, 100)]
        aws.client("cloudwatch").put_metric_data(Namespace="AWS/ECS", MetricData=data)
    result = run_cli("rightsize", "-f", WORKER, "-o", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["enough_data"] and got["source"] == "AWS/ECS" and got["hours_of_data"] >= 72
    assert got["proposed"]["cpu"] == 512 and got["proposed"]["memory"] == 1024  # 256 x 95% / 0.7 = 347 units
    assert got["monthly_saving"]["min"] < 0  # growing costs money: said as a negative saving
