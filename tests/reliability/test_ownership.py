"""Ownership: for every kind of resource ecsship makes, a same-named resource without ecsship's
tags stops the plan (naming it) and is never modified or deleted by apply or destroy without
--adopt; another service's resources in the same cluster are never touched."""
from __future__ import annotations

import json
from pprint import pformat

import pytest

from tests.reliability.helpers import EXAMPLES, diff_snapshots, snapshot

pytestmark = pytest.mark.reliability

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def squat(aws) -> list[str]:
    """Untagged resources under the names web and bluegreen would use; returns what each plan must name."""
    vpc = aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    aws.client("logs").create_log_group(logGroupName="/ecs/shop/checkout-api")
    for role in ("shop-checkout-api-exec", "shop-checkout-api-task", "shop-checkout-api-bg-exec"):
        aws.client("iam").create_role(RoleName=role, AssumeRolePolicyDocument=TRUST)
    aws.client("ec2").create_security_group(GroupName="shop-checkout-api-tasks", VpcId=vpc, Description="someone else's")
    elb = aws.client("elbv2")
    for name in ("shop-checkout-api", "shop-checkout-api-bg-blue"):
        elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")
    aws.client("cloudwatch").put_metric_alarm(
        AlarmName="shop-checkout-api-5xx", Namespace="AWS/ApplicationELB", MetricName="HTTPCode_Target_5XX_Count",
        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="shop")
    ecs.register_task_definition(family="shop-checkout-api", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128}])
    ecs.create_service(cluster="shop", serviceName="checkout-api", taskDefinition="shop-checkout-api", desiredCount=0)
    aws.client("codedeploy").create_application(applicationName="shop-checkout-api-bg", computePlatform="ECS")
    return ["log group /ecs/shop/checkout-api", "IAM role shop-checkout-api-exec", "IAM role shop-checkout-api-task",
            "security group shop-checkout-api-tasks", "target group shop-checkout-api", "alarm shop-checkout-api-5xx",
            "ECS service checkout-api",
            "IAM role shop-checkout-api-bg-exec", "target group shop-checkout-api-bg-blue", "CodeDeploy application shop-checkout-api-bg"]


def test_same_named_unowned_resources_stop_the_plan_and_are_never_touched(aws, run_cli):
    expected_names = squat(aws)
    before = snapshot(aws)
    texts = []
    for name in ("web", "bluegreen"):
        for args in (("apply", "--yes", "--no-wait"), ("destroy", "--yes", "--deregister", "--delete-logs")):
            result = run_cli(*args, "-f", EXAMPLES[name])
            texts.append(result.output)
            if args[0] != "destroy":
                assert result.exit_code == 1, result.output
                assert "not managed by ecsship" in result.stderr and "--adopt" in result.stderr
            else:
                assert result.exit_code == 0, result.output
    difference = diff_snapshots(before, snapshot(aws))
    assert difference == {}, pformat(difference)  # nothing modified, nothing deleted
    named = "\n".join(texts)
    missing = [n for n in expected_names if f"{n} exists but is not managed by ecsship" not in named]
    assert missing == [], named
    # Task definition revisions are immutable: a family someone else uses is not adopted, and
    # `destroy --deregister` keeps revisions ecsship did not tag.
    assert "task definition shop-checkout-api: kept (revisions not tagged by ecsship)" in named
    print(f"\nownership: {len(expected_names)} unowned same-named resources of 7 kinds (+ a task definition family), 4 runs (apply, destroy --deregister --delete-logs per example), 0 touched")


def _without(value, word: str):
    """The snapshot with every entry that mentions `word` left out."""
    if isinstance(value, dict):
        return {k: _without(v, word) for k, v in value.items() if word not in str(k)}
    if isinstance(value, list):
        return [_without(v, word) for v in value if word not in json.dumps(v, default=str)]
    return value


def test_another_service_in_the_cluster_is_never_touched(aws, run_cli):
    assert run_cli("apply", "--no-wait", "-f", EXAMPLES["worker"], "--yes").exit_code == 0
    worker_only = _without(snapshot(aws), "checkout-api")
    for args in (("apply", "--no-wait", "--yes"), ("destroy", "--yes", "--deregister", "--delete-logs")):
        result = run_cli(*args, "-f", EXAMPLES["web"])
        assert result.exit_code == 0, result.output
        difference = diff_snapshots(worker_only, _without(snapshot(aws), "checkout-api"))
        # VPC endpoints are shared by design: web adds its user tag and its task group's 443 rule,
        # and takes them away again on destroy (tests/reconcile/test_ownership_and_safety.py).
        # web's own endpoints (secretsmanager, ssm) come with it and go with it.
        difference.pop("vpc_endpoint_users", None)
        if args[0] == "apply":
            difference.pop("security_group_rules", None)
            difference.pop("vpc_endpoints", None)
        assert difference == {}, pformat(difference)
    plan = run_cli("plan", "--detailed-exitcode", "-f", EXAMPLES["worker"])
    assert plan.exit_code == 0, plan.output  # worker still converged
