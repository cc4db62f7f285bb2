"""After a blue/green swap the alarms must watch the group that serves production (issue #12 item 13)."""
from __future__ import annotations


def test_bluegreen_alarms_read_both_target_groups(run_cli, manifest, aws):
    """CodeDeploy/ECS blue/green move production to the other target group with each deployment
    (ECS "Blue/green deployments": the alternate target group becomes production), so an alarm on
    the blue group alone watches the idle group half of the time. Each alarm combines both groups
    with metric math (CloudWatch PutMetricAlarm Metrics / MetricDataQuery.Expression)."""
    path = manifest("bluegreen", observability={"alarms": {"http_5xx_percent": 2, "p99_latency_ms": 800, "unhealthy_targets": 1}})
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    elb = aws.client("elbv2")
    groups = {elb.describe_target_groups(Names=[f"shop-checkout-api-bg-{c}"])["TargetGroups"][0]["TargetGroupArn"].split(":")[-1]
              for c in ("blue", "green")}
    alarms = aws.client("cloudwatch").describe_alarms(AlarmNamePrefix="shop-checkout-api-bg-")["MetricAlarms"]
    assert {a["AlarmName"] for a in alarms} >= {"shop-checkout-api-bg-5xx", "shop-checkout-api-bg-p99-latency", "shop-checkout-api-bg-unhealthy-targets"}
    for alarm in alarms:
        if alarm["AlarmName"].endswith("running-below-min"):
            continue
        watched = {d["Value"] for q in alarm["Metrics"] if q.get("MetricStat")
                   for d in q["MetricStat"]["Metric"]["Dimensions"] if d["Name"] == "TargetGroup"}
        assert watched == groups, alarm["AlarmName"]
        assert [q["Id"] for q in alarm["Metrics"] if q.get("ReturnData")] and sum(bool(q.get("ReturnData")) for q in alarm["Metrics"]) == 1
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0


def test_requests_per_target_scaling_with_blue_green_is_a_validate_error(run_cli, manifest):
    """ALBRequestCountPerTarget's ResourceLabel names one target group (Application Auto Scaling
    PredefinedMetricSpecification.ResourceLabel): with two alternating groups it would track the idle one."""
    path = manifest("bluegreen", scaling={"min": 2, "max": 4, "requests_per_target": 500})
    result = run_cli("validate", "-f", path)
    assert result.exit_code == 2 and "scaling.requests_per_target" in result.output
    assert "Traceback" not in result.output
