"""A change the API cannot make in place is shown as replace and applied only with --allow-replace."""
from __future__ import annotations

import json

import pytest
import yaml
from botocore.exceptions import ClientError

from tests.local.helpers import seeded_network


def test_controller_change_back_to_ecs_needs_allow_replace(run_cli, manifest, aws):
    """CODE_DEPLOY -> ECS (task sets back into an ECS deployment) is not made in place: it replaces the
    service, behind --allow-replace (the local AWS refuses the in-place change).

    With --allow-replace the new rolling service is created behind the manifest's own target group,
    which the production rule was just modified to forward to. botocore ecs CreateService.loadBalancers:
    an ECS-controller service behind an ALB "must specify one or more target group ARNs to attach to the
    service", and AWS refuses a group no load balancer routes to ("does not have an associated load
    balancer"); botocore elbv2 TargetGroup.LoadBalancerArns: "the load balancer that routes traffic to
    this target group", so a ModifyRule forwarding to it associates it (moto missed that: issue #12)."""
    codedeploy = manifest("bluegreen", service="payments", drop=("scaling",))
    assert run_cli("apply", "--no-wait", "-f", codedeploy, "--yes").exit_code == 0
    rolling = manifest("bluegreen", service="payments", deploy={"strategy": "rolling"}, drop=("scaling",))
    plan = run_cli("plan", "-f", rolling, "--output", "json")
    service = next(c for c in json.loads(plan.stdout)["changes"] if c["kind"] == "service")
    assert service["action"] == "replace"
    assert {"field": "deploymentController.type", "old": "CODE_DEPLOY", "new": "ECS"} in service["fields"]
    assert "only for blue_green, canary or linear" in service["note"]  # the plan says why
    text = run_cli("plan", "-f", rolling)
    assert "-/+ ECS service payments" in text.stdout and "(forces replacement)" in text.stdout

    refused = run_cli("apply", "--no-wait", "-f", rolling, "--yes")
    assert refused.exit_code == 2 and "--allow-replace" in refused.stderr
    ecs = aws.client("ecs")
    assert ecs.describe_services(cluster="shop", services=["payments"])["services"][0]["deploymentController"]["type"] == "CODE_DEPLOY"

    # What only the blue/green shape had goes too, after the service moved (plan/orphans.py): the
    # CodeDeploy group before its application, the test rule before the target groups it forwards to
    # (elbv2 DeleteTargetGroup: "You can delete a target group if it is not referenced by any actions").
    deleting = [(c["kind"], c["name"]) for c in json.loads(plan.stdout)["changes"] if c["action"] == "delete"]
    assert deleting == [("role", "shop-payments-codedeploy"), ("listener_rule", "payments on :8443"),
                        ("codedeploy_group", "shop-payments"), ("codedeploy_app", "shop-payments"),
                        ("target_group", "shop-payments-blue"), ("target_group", "shop-payments-green")]
    assert "- CodeDeploy application shop-payments" in text.stdout and "- target group shop-payments-green" in text.stdout

    replaced = run_cli("apply", "--no-wait", "-f", rolling, "--yes", "--allow-replace")
    assert replaced.exit_code == 0, replaced.output
    active = [s for s in ecs.describe_services(cluster="shop", services=["payments"])["services"] if s["status"] == "ACTIVE"]
    assert [s["deploymentController"]["type"] for s in active] == ["ECS"]
    assert active[0]["loadBalancers"][0]["targetGroupArn"].split("/")[-2] == "shop-payments"
    assert run_cli("plan", "-f", rolling, "--detailed-exitcode").exit_code == 0
    elb = aws.client("elbv2")
    groups = [g["TargetGroupName"] for g in elb.describe_target_groups()["TargetGroups"]]
    assert "shop-payments" in groups and not {"shop-payments-blue", "shop-payments-green"} & set(groups)
    assert not [r for r in aws.client("iam").list_roles()["Roles"] if r["RoleName"] == "shop-payments-codedeploy"]
    assert "shop-payments" not in aws.client("codedeploy").list_applications()["applications"]


def test_ecs_to_code_deploy_switches_in_place(run_cli, manifest, aws):
    """Issue #12 item 17. UpdateService takes a `deploymentController` (botocore ecs UpdateServiceRequest),
    and on a CODE_DEPLOY service accepts only "the desired count, deployment configuration, health check
    grace period, task placement constraints and strategies, enable ECS managed tags option, and propagate
    tags". ECS -> CODE_DEPLOY is an update: same service, its tasks keep running as the PRIMARY task set.

    The ECS-controller service is made by hand behind the manifest's blue target group (a rolling
    manifest puts it behind another group, and a load balancer change still replaces the service)."""
    codedeploy = manifest("bluegreen", service="payments", drop=("scaling",))
    assert run_cli("apply", "--no-wait", "-f", codedeploy, "--yes").exit_code == 0
    ecs = aws.client("ecs")
    made = ecs.describe_services(cluster="shop", services=["payments"], include=["TAGS"])["services"][0]
    ecs.update_service(cluster="shop", service="payments", desiredCount=0)
    ecs.delete_service(cluster="shop", service="payments", force=True)
    aws.advance(300)
    keys = ("taskDefinition", "loadBalancers", "networkConfiguration", "healthCheckGracePeriodSeconds",
            "propagateTags", "enableECSManagedTags", "tags", "launchType", "capacityProviderStrategy")
    ecs.create_service(cluster="shop", serviceName="payments", deploymentController={"type": "ECS"},
                       **{k: made[k] for k in keys if made.get(k) is not None}, desiredCount=made["desiredCount"] or 1)
    aws.advance(600)  # its first (rolling) deployment completes
    before = ecs.describe_services(cluster="shop", services=["payments"])["services"][0]
    running = set(ecs.list_tasks(cluster="shop", serviceName="payments")["taskArns"])
    assert running and before["deploymentController"]["type"] == "ECS"

    # The role of a former ECS blue/green shape (`-ecs-lb`): nothing else is left to find by tag, so the
    # plan reads it by name; deleted with its inline policy first (iam DeleteRole: "you must delete the
    # items attached to the role manually, or the deletion fails").
    iam = aws.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"},
                                                                "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="shop-payments-ecs-lb", AssumeRolePolicyDocument=trust, Tags=[
        {"Key": "ecsship:service", "Value": "payments"}, {"Key": "ecsship:cluster", "Value": "shop"}, {"Key": "ecsship:region", "Value": "us-east-1"}])
    iam.put_role_policy(RoleName="shop-payments-ecs-lb", PolicyName="ecsship", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "elasticloadbalancing:ModifyRule", "Resource": "*"}]}))
    plan = run_cli("plan", "-f", codedeploy, "--output", "json")
    service = next(c for c in json.loads(plan.stdout)["changes"] if c["kind"] == "service")
    assert service["action"] == "update", service
    assert {"field": "deploymentController.type", "old": "ECS", "new": "CODE_DEPLOY"} in service["fields"]
    assert [(c["kind"], c["name"]) for c in json.loads(plan.stdout)["changes"] if c["action"] == "delete"] == [("role", "shop-payments-ecs-lb")]
    applied = run_cli("apply", "--no-wait", "-f", codedeploy, "--yes")  # no --allow-replace needed
    assert applied.exit_code == 0, applied.output

    after = ecs.describe_services(cluster="shop", services=["payments"])["services"]
    assert [(s["serviceArn"], s["deploymentController"]["type"]) for s in after] == [(before["serviceArn"], "CODE_DEPLOY")]
    assert [t["status"] for t in after[0]["taskSets"]] == ["PRIMARY"]
    assert set(ecs.list_tasks(cluster="shop", serviceName="payments")["taskArns"]) == running
    assert run_cli("plan", "-f", codedeploy, "--detailed-exitcode").exit_code == 0
    assert "shop-payments-ecs-lb" not in [r["RoleName"] for r in iam.list_roles()["Roles"]]


def test_code_deploy_to_ecs_blue_green_switches_in_place(run_cli, manifest, aws):
    """Issue #12 item 17. AWS ECS Developer Guide, "Migrating from a CodeDeploy blue/green to an Amazon
    ECS blue/green service deployment": an existing CODE_DEPLOY service moves to the ECS controller with
    a blue/green strategy, reusing the production and test target groups, when no service deployment is
    in progress. Same service, same tasks; the PRIMARY task set becomes its completed deployment, and
    the next deployment is an ECS canary to the other group of the pair."""
    codedeploy = manifest("bluegreen", service="payments", drop=("scaling",))
    assert run_cli("apply", "-f", codedeploy, "--yes").exit_code == 0
    deploy = {**yaml.safe_load(open(codedeploy))["deploy"], "controller": "ecs"}
    native = manifest("bluegreen", service="payments", drop=("scaling",), deploy=deploy)
    ecs = aws.client("ecs")
    before = ecs.describe_services(cluster="shop", services=["payments"])["services"][0]
    running = set(ecs.list_tasks(cluster="shop", serviceName="payments")["taskArns"])

    others = _other_environments(aws)

    plan = json.loads(run_cli("plan", "-f", native, "--output", "json").stdout)
    service = next(c for c in plan["changes"] if c["kind"] == "service")
    assert service["action"] == "update", service
    # The CodeDeploy application, group and role only the CODE_DEPLOY shape had are deleted, after the
    # service left CodeDeploy (plan/orphans.py); the other environment's and untagged look-alikes never.
    deleting = [(c["kind"], c["name"], c.get("note")) for c in plan["changes"] if c["action"] == "delete"]
    assert deleting == [("role", "shop-payments-codedeploy", "no longer in the manifest"),
                        ("codedeploy_group", "shop-payments", "no longer in the manifest"),
                        ("codedeploy_app", "shop-payments", "no longer in the manifest")]
    text = run_cli("plan", "-f", native).stdout
    assert "- CodeDeploy deployment group shop-payments" in text and "- IAM role shop-payments-codedeploy" in text
    applied = run_cli("apply", "-f", native, "--yes")  # no --allow-replace needed
    assert applied.exit_code == 0, applied.output
    codedeploy = aws.client("codedeploy")
    assert "shop-payments" not in codedeploy.list_applications()["applications"]
    with pytest.raises(ClientError):
        aws.client("iam").get_role(RoleName="shop-payments-codedeploy")
    assert others() == "untouched"
    after = ecs.describe_services(cluster="shop", services=["payments"])["services"]
    assert [(s["serviceArn"], s["deploymentController"]["type"]) for s in after] == [(before["serviceArn"], "ECS")]
    assert not after[0].get("taskSets") and after[0]["deploymentConfiguration"]["strategy"] == "CANARY"
    assert [(d["status"], d["rolloutState"]) for d in after[0]["deployments"]] == [("PRIMARY", "COMPLETED")]
    assert set(ecs.list_tasks(cluster="shop", serviceName="payments")["taskArns"]) == running
    assert run_cli("plan", "-f", native, "--detailed-exitcode").exit_code == 0

    shipped = run_cli("deploy", "-f", native, "--image-tag", "v2")
    assert shipped.exit_code == 0, shipped.output
    serving = ecs.describe_services(cluster="shop", services=["payments"])["services"][0]
    assert serving["taskDefinition"] != before["taskDefinition"] and not serving.get("taskSets")


def test_local_aws_refuses_the_controller_changes_it_does_not_model(run_cli, manifest, aws):
    """The local AWS makes only ECS -> CODE_DEPLOY in place, and not while a deployment is in progress."""
    import pytest
    from botocore.exceptions import ClientError

    rolling = manifest("bluegreen", service="payments", deploy={"strategy": "rolling"}, drop=("scaling",))
    assert run_cli("apply", "--no-wait", "-f", rolling, "--yes").exit_code == 0
    ecs = aws.client("ecs")
    for controller, words in (("CODE_DEPLOY", "in progress"), ("EXTERNAL", "from ECS to EXTERNAL")):
        with pytest.raises(ClientError) as info:
            ecs.update_service(cluster="shop", service="payments", deploymentController={"type": controller})
        assert info.value.response["Error"]["Code"] == "InvalidParameterException" and words in str(info.value)
    aws.advance(900)
    with pytest.raises(ClientError) as info:  # what a CODE_DEPLOY service refuses, refused with the switch
        ecs.update_service(cluster="shop", service="payments", deploymentController={"type": "CODE_DEPLOY"}, forceNewDeployment=True)
    ecs.update_service(cluster="shop", service="payments", deploymentController={"type": "CODE_DEPLOY"})
    with pytest.raises(ClientError) as info:
        ecs.update_service(cluster="shop", service="payments", deploymentController={"type": "ECS"})
    assert "from CODE_DEPLOY to ECS" in str(info.value)


def test_capacity_providers_and_launch_type_switch_in_place(run_cli, manifest, aws):
    """Issue #12 item 17. botocore ecs UpdateService capacityProviderStrategy: "You can change
    capacity providers for rolling deployments ... Update the Fargate launch type to an Auto Scaling
    group capacity provider ... Update the Auto Scaling group or Fargate capacity provider back to
    the launch type. Pass an empty list in the capacityProviderStrategy parameter." No replace."""
    spot = manifest("worker")
    assert run_cli("apply", "--no-wait", "-f", spot, "--yes").exit_code == 0
    ecs = aws.client("ecs")
    arn = ecs.describe_services(cluster="shop", services=["worker"])["services"][0]["serviceArn"]
    for path, launch_type in ((manifest("worker", drop=("capacity",)), "FARGATE"), (spot, None)):
        plan = run_cli("plan", "-f", path, "--output", "json")
        service = next(c for c in json.loads(plan.stdout)["changes"] if c["kind"] == "service")
        assert service["action"] == "update", service
        applied = run_cli("apply", "--no-wait", "-f", path, "--yes")
        assert applied.exit_code == 0, applied.output
        live = ecs.describe_services(cluster="shop", services=["worker"])["services"][0]
        assert live["serviceArn"] == arn and live.get("launchType") == launch_type
        assert bool(live.get("capacityProviderStrategy")) == (launch_type is None)
        assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0


def test_target_group_port_change_moves_rule_and_service_before_deleting(run_cli, manifest, aws):
    """ELB API Reference, DeleteTargetGroup: "You can delete a target group if it is not referenced by
    any actions" (else ResourceInUse). A port change cannot be made in place (CreateTargetGroup's Port
    is fixed), so the new group is created first under the alternate name, the listener rule and the
    service move to it, and only then is the old group deleted (issue #12 item 8)."""
    lb = {"alb": "main", "host": "pay.example.com", "priority": 40}
    first = manifest("worker", service="pay", port=8080, drop=("scaling", "capacity", "health_check"), load_balancer=lb)
    assert run_cli("apply", "--no-wait", "-f", first, "--yes").exit_code == 0
    elb = aws.client("elbv2")
    old = elb.describe_target_groups(Names=["shop-pay"])["TargetGroups"][0]
    moved = manifest("worker", service="pay", port=9090, drop=("scaling", "capacity", "health_check"), load_balancer=lb)
    plan = run_cli("plan", "-f", moved, "--output", "json")
    assert any(c["kind"] == "target_group" and c["action"] == "replace" for c in json.loads(plan.stdout)["changes"])
    result = run_cli("apply", "--no-wait", "-f", moved, "--yes", "--allow-replace")
    assert result.exit_code == 0, result.output
    groups = {g["TargetGroupName"]: g for g in elb.describe_target_groups()["TargetGroups"] if g["TargetGroupName"].startswith("shop-pay")}
    assert list(groups) == ["shop-pay-r"] and groups["shop-pay-r"]["Port"] == 9090
    assert old["TargetGroupArn"] not in [g["TargetGroupArn"] for g in groups.values()]
    service = aws.client("ecs").describe_services(cluster="shop", services=["pay"])["services"][0]
    assert service["loadBalancers"][0]["targetGroupArn"] == groups["shop-pay-r"]["TargetGroupArn"]
    assert run_cli("plan", "-f", moved, "--detailed-exitcode").exit_code == 0
    back = run_cli("apply", "--no-wait", "-f", first, "--yes", "--allow-replace")
    assert back.exit_code == 0, back.output
    names = [g["TargetGroupName"] for g in elb.describe_target_groups()["TargetGroups"] if g["TargetGroupName"].startswith("shop-pay")]
    assert names == ["shop-pay"]


def _other_environments(aws):
    """What the orphan cleanup must never touch: the same service's CodeDeploy application, role and
    target group in another environment (cluster `staging`), and look-alikes without ecsship's tags
    for this cluster. Returns a check that they are all still there."""
    staging = [{"Key": "ecsship:service", "Value": "payments"}, {"Key": "ecsship:cluster", "Value": "staging"}]
    codedeploy, iam, elb = aws.client("codedeploy"), aws.client("iam"), aws.client("elbv2")
    codedeploy.create_application(applicationName="staging-payments", computePlatform="ECS", tags=staging)
    codedeploy.create_application(applicationName="shop-payments-old", computePlatform="ECS", tags=staging[:1])
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"},
                                                                "Action": "sts:AssumeRole"}]})
    iam.create_role(RoleName="staging-payments-codedeploy", AssumeRolePolicyDocument=trust, Tags=staging)
    vpc = seeded_network(aws)["vpc"]
    elb.create_target_group(Name="staging-payments-blue", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip", Tags=staging)
    elb.create_target_group(Name="shop-payments-untagged", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")

    def check() -> str:
        apps = codedeploy.list_applications()["applications"]
        assert {"staging-payments", "shop-payments-old"} <= set(apps)
        iam.get_role(RoleName="staging-payments-codedeploy")
        assert len(elb.describe_target_groups(Names=["staging-payments-blue", "shop-payments-untagged"])["TargetGroups"]) == 2
        return "untouched"

    return check
