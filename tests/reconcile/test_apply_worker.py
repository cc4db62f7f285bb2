"""`apply` of examples/worker against the local AWS, read back field by field with plain boto3."""
from __future__ import annotations

import json

import pytest


def no_service(aws) -> bool:
    ecs = aws.client("ecs")
    if not [c for c in ecs.describe_clusters(clusters=["shop"])["clusters"] if c["status"] == "ACTIVE"]:
        return True
    return ecs.describe_services(cluster="shop", services=["worker"])["services"] == []


@pytest.fixture
def applied(run_cli, example, aws):
    result = run_cli("apply", "--no-wait", "-f", example("worker"), "--yes")
    assert result.exit_code == 0, result.output
    return result


def test_apply_creates_every_resource(applied, aws):
    assert "Apply complete: 9 created" in applied.stdout
    ecs = aws.client("ecs")

    cluster = ecs.describe_clusters(clusters=["shop"], include=["SETTINGS", "TAGS"])["clusters"][0]
    assert set(cluster["capacityProviders"]) >= {"FARGATE", "FARGATE_SPOT"}

    logs = aws.client("logs")
    group = logs.describe_log_groups(logGroupNamePrefix="/ecs/shop/worker")["logGroups"][0]
    assert group["logGroupName"] == "/ecs/shop/worker" and group["retentionInDays"] == 14

    iam = aws.client("iam")
    execution = iam.get_role(RoleName="shop-worker-exec")["Role"]
    task = iam.get_role(RoleName="shop-worker-task")["Role"]
    for role in (execution, task):
        trust = role["AssumeRolePolicyDocument"]
        assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ecs-tasks.amazonaws.com"}]
        assert {t["Key"]: t["Value"] for t in role["Tags"]}["ecsship:service"] == "worker"
    task_policy = iam.get_role_policy(RoleName="shop-worker-task", PolicyName="ecsship")["PolicyDocument"]
    assert task_policy["Statement"][0]["Action"] == ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    assert task_policy["Statement"][0]["Resource"] == ["arn:aws:sqs:us-east-1:123456789012:orders"]

    ec2 = aws.client("ec2")
    sg = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["shop-worker-tasks"]}])["SecurityGroups"][0]
    assert sg["IpPermissions"] == []  # no load balancer: nobody may connect in

    definition = ecs.describe_task_definition(taskDefinition="shop-worker")["taskDefinition"]
    assert definition["revision"] == 1
    assert definition["cpu"] == "256" and definition["memory"] == "512"
    assert definition["requiresCompatibilities"] == ["FARGATE"]
    assert definition["executionRoleArn"] == execution["Arn"] and definition["taskRoleArn"] == task["Arn"]
    container = definition["containerDefinitions"][0]
    assert container["image"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1"
    assert container["environment"] == [{"name": "CONCURRENCY", "value": "8"},
                                        {"name": "QUEUE_URL", "value": "https://sqs.us-east-1.amazonaws.com/123456789012/orders"}]
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/ecs/shop/worker"
    assert container["healthCheck"]["command"] == ["CMD", "/app/worker", "healthcheck"]
    assert container["healthCheck"]["startPeriod"] == 30

    svc = ecs.describe_services(cluster="shop", services=["worker"], include=["TAGS"])["services"][0]
    assert svc["taskDefinition"] == definition["taskDefinitionArn"]
    assert svc["desiredCount"] == 1
    net = svc["networkConfiguration"]["awsvpcConfiguration"]
    assert net["assignPublicIp"] == "DISABLED" and net["securityGroups"] == [sg["GroupId"]]
    private = ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["private"]}])["Subnets"]
    assert sorted(net["subnets"]) == sorted(s["SubnetId"] for s in private)

    scaling = aws.client("application-autoscaling")
    target = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=["service/shop/worker"])["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 10)
    policy = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId="service/shop/worker")["ScalingPolicies"][0]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 70.0 and config["ScaleInCooldown"] == 120 and config["ScaleOutCooldown"] == 30

    endpoints = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    names = sorted(e["ServiceName"].rsplit(".", 1)[-1] if "ecr" not in e["ServiceName"] else e["ServiceName"].split("us-east-1.")[1]
                   for e in endpoints if e["State"].lower() != "deleted")
    assert names == ["ecr.api", "ecr.dkr", "logs", "s3"]

    # Needs the local backend's create_service fidelity fix (plain moto drops these on create).
    config = svc["deploymentConfiguration"]
    assert config["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert (config["minimumHealthyPercent"], config["maximumPercent"]) == (50, 200)
    assert [(c["capacityProvider"], c["base"], c["weight"]) for c in svc["capacityProviderStrategy"]] == [("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 4)]


def test_second_apply_makes_no_mutating_call(applied, run_cli, example, aws_calls):
    aws_calls.clear()
    plan = run_cli("plan", "-f", example("worker"), "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert "Plan: 0 to create, 0 to update, 0 to replace, 0 to delete." in plan.stdout
    # 20 -> 18 (issue #20 item 2): the log group's tags and the account id come from the plan's one
    # tagging API GetResources (reconcilers/tag_index.py), no logs ListTagsForResource nor sts GetCallerIdentity.
    assert len(aws_calls.reads()) <= 17, aws_calls.reads()
    aws_calls.clear()
    again = run_cli("apply", "--no-wait", "-f", example("worker"), "--yes")
    assert again.exit_code == 0, again.output
    assert aws_calls.writes() == []
    assert len(aws_calls.reads()) <= 17, aws_calls.reads()  # a no-op apply reads what the plan reads
    aws_calls.clear()
    # A deploy of the running image registers nothing and reads the service's revision once: the plan's
    # read of it is what deploy compares (nothing is written in between; issue #20 item 2). The family's
    # newest revision is read once too: a deploy sends that read beside its plan, before it knows the
    # image already serves (issue #20 item 1: a new image, the usual deploy, needs it after the plan).
    deployed = run_cli("deploy", "--no-wait", "-f", example("worker"))
    assert deployed.exit_code == 0, deployed.output
    assert ("ecs", "RegisterTaskDefinition") not in aws_calls.writes()
    assert aws_calls.reads().count(("ecs", "DescribeTaskDefinition")) == 2, aws_calls.reads()


def test_plan_before_apply_changes_nothing(run_cli, example, aws_calls, aws):
    result = run_cli("plan", "-f", example("worker"), "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert "Plan: 9 to create, 0 to update, 0 to replace, 0 to delete." in result.stdout
    assert aws_calls.writes() == []
    assert no_service(aws)

    result = run_cli("plan", "-f", example("worker"), "--output", "json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["summary"] == {"create": 9, "update": 0, "replace": 0, "delete": 0, "unchanged": 0}
    service = next(c for c in plan["changes"] if c["kind"] == "service")
    assert service["action"] == "create"
    assert {"field": "networkConfiguration.awsvpcConfiguration.assignPublicIp", "old": None, "new": "DISABLED"} in service["fields"]


def test_apply_without_tty_or_yes_refuses(run_cli, example, aws):
    result = run_cli("apply", "--no-wait", "-f", example("worker"))
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert no_service(aws)
