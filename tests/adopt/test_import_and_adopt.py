"""Issue #16, the adoption journey: a service clicked together by hand (container `app`, desired 2,
plaintext DB_PASSWORD and an API key in its environment, public IP on, no circuit breaker), then
`import --move-secrets` → `validate` → `plan --adopt` → `apply --adopt` → a plan with nothing to do.

AWS facts relied on: ECS UpdateService changes networkConfiguration, deploymentConfiguration and the
task definition of a running service in place ("Modifies the parameters of a service"), keeping its
desired count unless given; Secrets Manager CreateSecret takes `Tags`; the task definition's
`secrets[].valueFrom` is "the full ARN of the Secrets Manager secret" (botocore ecs Secret)."""
from __future__ import annotations

import json

import pytest

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api:v1"
DB_PASSWORD = "Xq7!hand-made-db-pa55"  # the plaintext a clicked-together service holds
API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"


@pytest.fixture
def sim(simulated_watch_time, monkeypatch):
    """Simulated time comes from tests/conftest.py (autouse); plain output lines, not CI's."""
    monkeypatch.delenv("CI", raising=False)
    return simulated_watch_time


def hand_made_service(aws, load_balancers: list | None = None) -> None:
    ec2, ecs, iam, logs = aws.client("ec2"), aws.client("ecs"), aws.client("iam"), aws.client("logs")
    vpc = main_vpc(aws)
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["public"]}])["Subnets"]]
    group = ec2.create_security_group(GroupName="legacy-app", Description="by hand", VpcId=vpc)["GroupId"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    task_role = iam.create_role(RoleName="legacy-app-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    exec_role = iam.create_role(RoleName="legacyTaskExecutionRole", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    logs.create_log_group(logGroupName="/ecs/legacy-app")
    ecs.create_cluster(clusterName="legacy")
    td = ecs.register_task_definition(
        family="legacy-app", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
        taskRoleArn=task_role, executionRoleArn=exec_role,
        containerDefinitions=[{"name": "app", "image": IMAGE, "essential": True,
                               "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                               "environment": [{"name": "DB_PASSWORD", "value": DB_PASSWORD}, {"name": "PAYMENTS_API_KEY", "value": API_KEY},
                                               {"name": "LOG_LEVEL", "value": "info"}],
                               "logConfiguration": {"logDriver": "awslogs", "options": {
                                   "awslogs-group": "/ecs/legacy-app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}}],
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster="legacy", serviceName="web", taskDefinition=td, desiredCount=2, launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group], "assignPublicIp": "ENABLED"}},
                       loadBalancers=load_balancers or [],
                       deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100,
                                                "deploymentCircuitBreaker": {"enable": False, "rollback": False}})
    for _ in range(20):
        if ecs.describe_services(cluster="legacy", services=["web"])["services"][0]["runningCount"] == 2:
            return
        aws.advance(15)


def main_vpc(aws) -> str:
    return aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]


def test_a_hand_made_service_is_imported_and_adopted_without_disturbing_it(sim, run_cli, aws, tmp_path):
    hand_made_service(aws)
    manifest = tmp_path / "ecsship.yaml"
    outputs = []

    def step(*args, code=0):
        result = run_cli(*args)
        outputs.append(result.output)
        assert result.exit_code == code, result.output
        return result

    step("import", "--cluster", "legacy", "--service", "web", "-o", str(manifest), "--move-secrets")
    text = manifest.read_text()
    assert "container_name: app" in text and "count: 2" in text and "Not mapped" in text
    step("validate", "-f", str(manifest))
    plan = step("plan", "--adopt", "-f", str(manifest))
    assert "deploymentCircuitBreaker.enable: false -> true" in plan.stdout
    assert 'assignPublicIp: "ENABLED" -> "DISABLED"' in plan.stdout
    assert "replace" not in plan.stdout.split("Plan:")[0] and "desiredCount" not in plan.stdout
    step("apply", "--adopt", "--yes", "-f", str(manifest))
    step("plan", "--detailed-exitcode", "-f", str(manifest))

    ecs = aws.client("ecs")
    svc = ecs.describe_services(cluster="legacy", services=["web"], include=["TAGS"])["services"][0]
    assert svc["desiredCount"] == 2 and svc["runningCount"] == 2
    assert svc["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert {"key": "ecsship:service", "value": "web"} in svc["tags"]
    container = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]["containerDefinitions"][0]
    assert container["name"] == "app"
    assert {e["name"] for e in container["environment"]} == {"LOG_LEVEL"}
    refs = {s["name"]: s["valueFrom"] for s in container["secrets"]}
    sm = aws.client("secretsmanager")
    for name in ("DB_PASSWORD", "PAYMENTS_API_KEY"):
        described = sm.describe_secret(SecretId=f"legacy/web/{name}")
        assert refs[name] == described["ARN"]
        assert {"Key": "ecsship:service", "Value": "web"} in described["Tags"]
    assert sm.get_secret_value(SecretId="legacy/web/DB_PASSWORD")["SecretString"] == DB_PASSWORD
    for output in [*outputs, text]:
        assert DB_PASSWORD not in output and API_KEY not in output


def hand_made_alb_routing(aws) -> tuple[str, str]:
    """A target group and a listener rule made by hand on the seeded ALB's :443 listener (host
    web.example.com, priority 10): the (target group ARN, rule ARN)."""
    elb = aws.client("elbv2")
    # Port 80, the console's default, in front of a container on 8080: ECS registers the tasks at 8080.
    tg = elb.create_target_group(Name="legacy-web-tg", Protocol="HTTP", Port=80, TargetType="ip", VpcId=main_vpc(aws),
                                 HealthCheckPath="/health", HealthCheckIntervalSeconds=15, Matcher={"HttpCode": "200-299"})
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    elb.modify_target_group_attributes(TargetGroupArn=tg_arn, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])
    alb = elb.describe_load_balancers(Names=["main"])["LoadBalancers"][0]["LoadBalancerArn"]
    listener = next(x for x in elb.describe_listeners(LoadBalancerArn=alb)["Listeners"] if x["Port"] == 443)
    rule = elb.create_rule(ListenerArn=listener["ListenerArn"], Priority=10,
                           Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": ["web.example.com"]}}],
                           Actions=[{"Type": "forward", "TargetGroupArn": tg_arn}])["Rules"][0]["RuleArn"]
    return tg_arn, rule


def test_a_service_behind_an_alb_is_adopted_with_its_own_target_group_and_rule(sim, run_cli, aws, tmp_path):
    """Issue #16: the live target group and listener rule are adopted in place (tagged), never
    replaced, and the service keeps its loadBalancers. AWS facts relied on: elbv2 AddTags takes
    "the Amazon Resource Name (ARN) of the resource" for target groups and rules alike; DescribeRules
    lists a listener's rules with their actions (botocore elbv2 AddTags, DescribeRules)."""
    tg_arn, rule_arn = hand_made_alb_routing(aws)
    hand_made_service(aws, [{"targetGroupArn": tg_arn, "containerName": "app", "containerPort": 8080}])
    manifest = tmp_path / "ecsship.yaml"

    def step(*args, code=0):
        result = run_cli(*args)
        assert result.exit_code == code, result.output
        return result

    step("import", "--cluster", "legacy", "--service", "web", "-o", str(manifest), "--move-secrets")
    text = manifest.read_text()
    assert "target_group: legacy-web-tg" in text and "priority: 10" in text and "host: web.example.com" in text
    step("validate", "-f", str(manifest))
    refused = step("plan", "-f", str(manifest), code=1).output  # ownership: without --adopt, nothing is taken over
    line = text.splitlines().index("  target_group: legacy-web-tg") + 1  # the problem names the field behind it
    assert f"ecsship.yaml:{line}: target group legacy-web-tg exists but is not managed" in refused
    assert "listener rule web on :443 exists but" in refused
    plan = step("plan", "--adopt", "-f", str(manifest)).stdout
    assert "target group legacy-web-tg (adopt)" in plan and "(adopt)" in plan.split("listener rule")[1].splitlines()[0]
    assert "loadBalancers" not in plan and "replace" not in plan.split("Plan:")[0]
    assert "HealthCheck" not in plan and "deregistrationDelay" not in plan  # nothing the manifest did not ask for
    step("apply", "--adopt", "--yes", "-f", str(manifest))
    assert "No changes" in step("plan", "--detailed-exitcode", "-f", str(manifest)).output

    elb, ecs = aws.client("elbv2"), aws.client("ecs")
    svc = ecs.describe_services(cluster="legacy", services=["web"])["services"][0]
    assert svc["loadBalancers"] == [{"targetGroupArn": tg_arn, "containerName": "app", "containerPort": 8080}]
    assert svc["runningCount"] == 2 and svc["desiredCount"] == 2
    healthy = [t["Target"] for t in elb.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
               if t["TargetHealth"]["State"] == "healthy"]
    assert len(healthy) == 2 and {t["Port"] for t in healthy} == {8080}  # the container port, not the group's 80
    rule = elb.describe_rules(RuleArns=[rule_arn])["Rules"][0]
    assert rule["Priority"] == "10" and rule["Actions"][0]["TargetGroupArn"] == tg_arn
    tags = {d["ResourceArn"]: {t["Key"]: t["Value"] for t in d["Tags"]} for d in elb.describe_tags(ResourceArns=[tg_arn, rule_arn])["TagDescriptions"]}
    for arn in (tg_arn, rule_arn):
        assert tags[arn]["ecsship:service"] == "web" and tags[arn]["ecsship:cluster"] == "legacy"
    assert len(elb.describe_target_groups()["TargetGroups"]) == 1  # no group of ecsship's own beside it
    # Adopted means owned: destroy deletes the rule, then the group (docs/adopting.md).
    assert "deleted listener rule web on :443" in step("destroy", "--yes", "-f", str(manifest)).stdout
    assert elb.describe_target_groups()["TargetGroups"] == []
