"""Ownership (adopt, priorities, destroy scope), least privilege, and secrets never shown."""
from __future__ import annotations

import json

import pytest

from ecsship.desired import build
from ecsship.desired.policies import STAR_RESOURCE_ACTIONS
from ecsship.manifest import load_manifest


def test_unmanaged_resource_with_our_name_needs_adopt(run_cli, example, aws):
    ec2_vpc = aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    elb = aws.client("elbv2")
    arn = elb.create_target_group(Name="shop-checkout-api", Protocol="HTTP", Port=8080, VpcId=ec2_vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    refused = run_cli("plan", "-f", example("web"))
    assert refused.exit_code == 1
    assert "target group shop-checkout-api exists but is not managed by ecsship" in refused.stderr and "--adopt" in refused.stderr
    adopted = run_cli("apply", "--no-wait", "-f", example("web"), "--yes", "--adopt")
    assert adopted.exit_code == 0, adopted.output
    assert "(adopt)" in adopted.stdout
    tags = {t["Key"]: t["Value"] for t in elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0]["Tags"]}
    assert tags["ecsship:service"] == "checkout-api"
    assert elb.describe_target_groups(Names=["shop-checkout-api"])["TargetGroups"][0]["HealthCheckPath"] == "/healthz"


def test_priority_taken_by_another_owner_is_a_plan_error(run_cli, example, aws):
    elb = aws.client("elbv2")
    alb = elb.describe_load_balancers(Names=["main"])["LoadBalancers"][0]
    listener = next(l for l in elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"] if l["Port"] == 443)
    elb.create_rule(ListenerArn=listener["ListenerArn"], Priority=100, Conditions=[{"Field": "path-pattern", "Values": ["/legacy/*"]}],
                    Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
                    Tags=[{"Key": "ecsship:service", "Value": "legacy"}, {"Key": "ecsship:cluster", "Value": "shop"}])
    result = run_cli("plan", "-f", example("web"))
    assert result.exit_code == 1
    assert "priority 100 is taken by shop/legacy" in result.stderr


def test_destroy_removes_what_it_owns_and_nothing_else(run_cli, example, aws):
    assert run_cli("apply", "--no-wait", "-f", example("worker"), "--yes").exit_code == 0
    iam = aws.client("iam")
    iam.create_role(RoleName="shop-someone-else", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    refused = run_cli("destroy", "-f", example("worker"))
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    result = run_cli("destroy", "-f", example("worker"), "--yes")
    assert result.exit_code == 0, result.output
    assert aws.client("ecs").describe_services(cluster="shop", services=["worker"])["services"][0]["status"] == "INACTIVE"
    for name in ("shop-worker-exec", "shop-worker-task"):
        with pytest.raises(iam.exceptions.NoSuchEntityException):
            iam.get_role(RoleName=name)
    iam.get_role(RoleName="shop-someone-else")  # not ours: untouched
    assert aws.client("logs").describe_log_groups(logGroupNamePrefix="/ecs/shop/worker")["logGroups"]  # kept without --delete-logs
    ec2 = aws.client("ec2")
    assert not ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["shop-worker-tasks"]}])["SecurityGroups"]
    live = [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() not in ("deleted", "deleting")]
    assert live == []  # created by this service, used by nobody else
    # Their shared group goes with them: ecsship made it and nothing uses it (issue #12). AWS refuses
    # to delete it until the endpoints' interfaces are gone (DependencyViolation): destroy waits.
    assert not ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["ecsship-vpc-endpoints"]}])["SecurityGroups"]
    assert aws.client("ecs").describe_clusters(clusters=["shop"])["clusters"][0]["status"] == "ACTIVE"
    again = run_cli("destroy", "-f", example("worker"), "--yes")
    assert again.exit_code == 0 and "0 to delete" in again.stdout


def test_shared_endpoints_survive_one_users_destroy(run_cli, example, aws):
    assert run_cli("apply", "--no-wait", "-f", example("worker"), "--yes").exit_code == 0
    assert run_cli("apply", "--no-wait", "-f", example("web"), "--yes").exit_code == 0
    ec2 = aws.client("ec2")
    before = [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() != "deleted"]
    assert len(before) == 6  # worker's 4 reused by web, plus web's secretsmanager and ssm
    assert run_cli("destroy", "-f", example("worker"), "--yes").exit_code == 0
    after = [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() != "deleted"]
    assert len(after) == 6
    assert not any(t["Key"] == "ecsship:user:shop/worker" for e in after for t in e.get("Tags", []))
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["ecsship-vpc-endpoints"]}])["SecurityGroups"]
    assert len(groups) == 1  # web's endpoints still carry it and web's tasks are still let in


def _policies(desired):
    from ecsship.desired.resources import Role

    return [(r.name, r.spec["policy"]) for r in desired.resources if isinstance(r, Role) and r.spec["policy"]]


@pytest.mark.parametrize("name", ["worker", "web", "bluegreen"])
def test_generated_policies_are_least_privilege(example, name):
    desired = build(load_manifest(example(name)))
    assert _policies(desired)
    for role, policy in _policies(desired):
        for statement in policy["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in a for a in actions), (role, statement)
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if "*" in resources:
                assert set(actions) <= STAR_RESOURCE_ACTIONS, (role, statement)


def test_applied_policies_have_no_star_action(run_cli, example, aws):
    assert run_cli("apply", "--no-wait", "-f", example("web"), "--yes").exit_code == 0
    iam = aws.client("iam")
    for role in ("shop-checkout-api-exec", "shop-checkout-api-task"):
        assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
        for statement in iam.get_role_policy(RoleName=role, PolicyName="ecsship")["PolicyDocument"]["Statement"]:
            assert not any("*" in a for a in statement["Action"])
            if "*" in statement["Resource"]:
                assert set(statement["Action"]) <= STAR_RESOURCE_ACTIONS


def test_no_secret_value_in_any_output(run_cli, example, aws, secret_values, tmp_path):
    saved = tmp_path / "plan.json"
    outputs = [
        run_cli("plan", "-f", example("web"), "--out", str(saved)),
        run_cli("apply", "--no-wait", "-f", example("web"), "--yes"),
        run_cli("plan", "-f", example("web"), "-v", "--output", "json"),
        run_cli("secret", "list", "-f", example("web")),
        run_cli("secret", "list", "-f", example("web"), "--output", "json"),
        run_cli("secret", "set", "DB_PASSWORD", "-f", example("web"), input="s3cr3t-value-xyz\n"),
    ]
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    text = "".join(r.output for r in outputs) + saved.read_text()
    for value in (*secret_values, "s3cr3t-value-xyz"):
        assert value not in text
    stored = aws.client("secretsmanager").get_secret_value(SecretId="shop/checkout/db")["SecretString"]
    assert stored == "s3cr3t-value-xyz"


def test_hand_made_service_is_adopted_only_with_adopt(run_cli, example, aws, tmp_path):
    ecs, ec2 = aws.client("ecs"), aws.client("ec2")
    ecs.create_cluster(clusterName="shop")
    private = ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["private"]}])["Subnets"]
    subnets = [s["SubnetId"] for s in private]
    default_sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [private[0]["VpcId"]]},
                                                       {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    definition = ecs.register_task_definition(family="by-hand", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
                                              containerDefinitions=[{"name": "app", "image": "nginx:1.27", "essential": True, "memory": 512}])["taskDefinition"]
    ecs.create_service(cluster="shop", serviceName="worker", taskDefinition=definition["taskDefinitionArn"], desiredCount=3, launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [default_sg], "assignPublicIp": "ENABLED"}})
    refused = run_cli("apply", "--no-wait", "-f", example("worker"), "--yes")
    assert refused.exit_code == 1 and "ECS service worker exists but is not managed by ecsship" in refused.stderr
    assert ecs.describe_services(cluster="shop", services=["worker"])["services"][0]["taskDefinition"] == definition["taskDefinitionArn"]

    # Issue #16: adopting never renames the running container ("app" here, the worker example's is "worker").
    renamed = run_cli("apply", "--no-wait", "-f", example("worker"), "--yes", "--adopt")
    assert renamed.exit_code == 1 and "renames or removes container app" in renamed.stderr, renamed.output
    assert "set `container_name: app`" in renamed.stderr
    manifest = tmp_path / "worker.ecsship.yaml"
    manifest.write_text(open(example("worker")).read() + "\ncontainer_name: app\n")
    adopted = run_cli("apply", "--no-wait", "-f", str(manifest), "--yes", "--adopt")
    assert adopted.exit_code == 0, adopted.output
    service = ecs.describe_services(cluster="shop", services=["worker"], include=["TAGS"])["services"][0]
    assert {t["key"]: t["value"] for t in service["tags"]}["ecsship:service"] == "worker"
    assert service["taskDefinition"].endswith(":task-definition/shop-worker:1")
    assert service["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "DISABLED"
    assert service["desiredCount"] == 3  # autoscaling owns the count: adopting never resets it
    assert run_cli("plan", "-f", str(manifest), "--detailed-exitcode").exit_code == 0
