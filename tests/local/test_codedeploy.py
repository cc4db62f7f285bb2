"""CodeDeploy blue/green deployments of an ECS service, walked through plain boto3."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.local.helpers import forward_rule, listener_arn, register_task_definition, seeded_network, target_group


def _weights(aws, rule_arn: str) -> dict[str, int]:
    rule = aws.client("elbv2").describe_rules(RuleArns=[rule_arn])["Rules"][0]
    forward = rule["Actions"][0]
    if "ForwardConfig" in forward:
        return {g["TargetGroupArn"]: g["Weight"] for g in forward["ForwardConfig"]["TargetGroups"]}
    return {forward["TargetGroupArn"]: 100}


def _setup(aws, config: str = "CodeDeployDefault.ECSAllAtOnce", ready: dict | None = None, termination_minutes: int = 1, alarms: list | None = None,
           green_in_use: bool = True):
    ecs, codedeploy = aws.client("ecs"), aws.client("codedeploy")
    ecs.create_cluster(clusterName="shop")
    network = seeded_network(aws)
    blue = target_group(aws, network["vpc"], "checkout-blue")
    green = target_group(aws, network["vpc"], "checkout-green")
    # Both groups from the start (as ecsship makes it): the green group is in use, so health checked.
    prod_rule = forward_rule(aws, 443, [(blue, 100), (green, 0)] if green_in_use else [(blue, 1)])
    test_rule = forward_rule(aws, 8443, [(blue, 1)])
    v1 = register_task_definition(aws, tag="v1")
    ecs.create_service(
        cluster="shop", serviceName="checkout-api", taskDefinition=v1, desiredCount=2, launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
        networkConfiguration={"awsvpcConfiguration": {"subnets": network["subnets"], "securityGroups": [network["security_group"]]}},
        loadBalancers=[{"targetGroupArn": blue, "containerName": "app", "containerPort": 8080}],
    )
    codedeploy.create_application(applicationName="shop-checkout", computePlatform="ECS")
    group = dict(
        applicationName="shop-checkout", deploymentGroupName="checkout-api", deploymentConfigName=config,
        serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={
            "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": termination_minutes},
            "deploymentReadyOption": ready or {"actionOnTimeout": "CONTINUE_DEPLOYMENT"},
        },
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"]},
        ecsServices=[{"serviceName": "checkout-api", "clusterName": "shop"}],
        loadBalancerInfo={"targetGroupPairInfoList": [{
            "targetGroups": [{"name": "checkout-blue"}, {"name": "checkout-green"}],
            "prodTrafficRoute": {"listenerArns": [listener_arn(aws, 443)]},
            "testTrafficRoute": {"listenerArns": [listener_arn(aws, 8443)]},
        }]},
    )
    if alarms:
        group["alarmConfiguration"] = {"enabled": True, "alarms": [{"name": a} for a in alarms]}
    codedeploy.create_deployment_group(**group)
    aws.advance(60)  # the initial task set starts and turns healthy
    return {"blue": blue, "green": green, "prod_rule": prod_rule, "test_rule": test_rule, "v1": v1}


def _deploy(aws, tag: str = "v2") -> str:
    appspec = {"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {
        "TaskDefinition": register_task_definition(aws, tag=tag), "LoadBalancerInfo": {"ContainerName": "app", "ContainerPort": 8080}}}}]}
    return aws.client("codedeploy").create_deployment(
        applicationName="shop-checkout", deploymentGroupName="checkout-api",
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": json.dumps(appspec)}},
    )["deploymentId"]


def _status(aws, deployment_id: str) -> dict:
    return aws.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]


def _task_sets(aws) -> list[dict]:
    return aws.client("ecs").describe_services(cluster="shop", services=["checkout-api"])["services"][0]["taskSets"]


def test_code_deploy_service_starts_with_a_primary_task_set(aws):
    setup = _setup(aws)
    (task_set,) = _task_sets(aws)
    assert task_set["status"] == "PRIMARY" and task_set["runningCount"] == 2 and task_set["stabilityStatus"] == "STEADY_STATE"
    health = aws.client("elbv2").describe_target_health(TargetGroupArn=setup["blue"])["TargetHealthDescriptions"]
    assert {h["TargetHealth"]["State"] for h in health} == {"healthy"} and len(health) == 2


def test_linear_deployment_shifts_in_steps_then_terminates_the_original(aws):
    setup = _setup(aws, config="CodeDeployDefault.ECSLinear10PercentEvery1Minutes")
    deployment_id = _deploy(aws)
    assert _status(aws, deployment_id)["status"] == "Created"
    aws.advance(1)
    assert _status(aws, deployment_id)["status"] == "InProgress"
    sets = {t["status"]: t for t in _task_sets(aws)}
    assert set(sets) == {"PRIMARY", "ACTIVE"}, "the replacement task set is created"
    seen = []
    for _ in range(15 * 60):
        weights = _weights(aws, setup["prod_rule"])
        green = weights.get(setup["green"], 0)
        if not seen or seen[-1] != green:
            seen.append(green)
        if green == 100:
            break
        aws.advance(5)  # steps are a minute apart: 5 s sees every one
    assert seen == [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert _weights(aws, setup["test_rule"]) == {setup["blue"]: 0, setup["green"]: 100}, "test traffic went to green first"
    target = aws.client("codedeploy").get_deployment_target(deploymentId=deployment_id, targetId="shop:checkout-api")["deploymentTarget"]["ecsTarget"]
    labels = {t["taskSetLabel"]: t for t in target["taskSetsInfo"]}
    assert labels["Green"]["trafficWeight"] == 100.0 and labels["Green"]["status"] == "PRIMARY"
    assert _status(aws, deployment_id)["status"] == "InProgress" and _status(aws, deployment_id)["instanceTerminationWaitTimeStarted"]
    aws.advance(75)
    info = _status(aws, deployment_id)
    assert info["status"] == "Succeeded"
    (task_set,) = _task_sets(aws)
    assert task_set["status"] == "PRIMARY" and task_set["taskDefinition"].endswith("checkout-api:2")
    events = {e["lifecycleEventName"]: e["status"] for e in aws.client("codedeploy").get_deployment_target(
        deploymentId=deployment_id, targetId="shop:checkout-api")["deploymentTarget"]["ecsTarget"]["lifecycleEvents"]}
    assert set(events.values()) == {"Succeeded"} and "AllowTraffic" in events


def test_stop_deployment_with_rollback_returns_traffic_to_the_original(aws):
    setup = _setup(aws, config="CodeDeployDefault.ECSCanary10Percent5Minutes")
    deployment_id = _deploy(aws)
    for _ in range(150):
        if _weights(aws, setup["prod_rule"]).get(setup["green"]) == 10:
            break
        aws.advance(2)
    assert _weights(aws, setup["prod_rule"]) == {setup["blue"]: 90, setup["green"]: 10}
    aws.advance(60)
    assert _weights(aws, setup["prod_rule"])[setup["green"]] == 10, "canary holds for its interval"
    answer = aws.client("codedeploy").stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    assert answer["status"] == "Pending"
    aws.advance(1)
    info = _status(aws, deployment_id)
    assert info["status"] == "Stopped" and info["errorInformation"]["code"] == "MANUAL_STOP"
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    aws.advance(30)
    assert _weights(aws, setup["prod_rule"]) == {setup["blue"]: 100, setup["green"]: 0}
    rollback = _status(aws, rollback_id)
    assert rollback["creator"] == "codeDeployRollback" and rollback["status"] == "Succeeded"
    assert rollback["rollbackInfo"]["rollbackTriggeringDeploymentId"] == deployment_id
    (task_set,) = _task_sets(aws)
    assert task_set["status"] == "PRIMARY" and task_set["taskDefinition"] == setup["v1"]


def test_manual_approval_waits_in_ready_until_continued(aws):
    setup = _setup(aws, ready={"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 30})
    deployment_id = _deploy(aws)
    for _ in range(150):
        if _status(aws, deployment_id)["status"] == "Ready":
            break
        aws.advance(2)
    assert _status(aws, deployment_id)["status"] == "Ready"
    assert _weights(aws, setup["test_rule"])[setup["green"]] == 100 and _weights(aws, setup["prod_rule"]).get(setup["green"], 0) == 0
    aws.advance(600)
    assert _status(aws, deployment_id)["status"] == "Ready", "waits for approval"
    with pytest.raises(ClientError) as error:
        aws.client("codedeploy").create_deployment(applicationName="shop-checkout", deploymentGroupName="checkout-api",
                                                   revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": "{}"}})
    assert error.value.response["Error"]["Code"] == "DeploymentLimitExceededException"
    aws.client("codedeploy").continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")
    aws.advance(1)
    assert _weights(aws, setup["prod_rule"])[setup["green"]] == 100
    aws.advance(120)
    assert _status(aws, deployment_id)["status"] == "Succeeded"


def test_alarm_stops_the_deployment_and_rolls_back(aws):
    aws.client("cloudwatch").put_metric_alarm(AlarmName="checkout-5xx", MetricName="5xx", Namespace="AWS/ApplicationELB", Statistic="Sum",
                                              Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    setup = _setup(aws, config="CodeDeployDefault.ECSCanary10Percent5Minutes", alarms=["checkout-5xx"])
    deployment_id = _deploy(aws)
    aws.advance(60)
    assert _weights(aws, setup["prod_rule"])[setup["green"]] == 10
    aws.set_alarm("checkout-5xx", "ALARM")
    aws.advance(1)
    info = _status(aws, deployment_id)
    assert info["status"] == "Stopped" and info["errorInformation"]["code"] == "ALARM_ACTIVE"
    aws.advance(30)
    assert _weights(aws, setup["prod_rule"])[setup["green"]] == 0


def test_broken_replacement_fails_the_deployment(aws):
    setup = _setup(aws)
    deployment_id = _deploy(aws, tag="broken")
    for _ in range(600):
        if _status(aws, deployment_id)["status"] in ("Failed", "Succeeded"):
            break
        aws.advance(2)
    info = _status(aws, deployment_id)
    assert info["status"] == "Failed" and info["errorInformation"]["code"] == "ECS_UPDATE_ERROR"
    assert _weights(aws, setup["prod_rule"]).get(setup["green"], 0) == 0


def test_custom_linear_config_drives_the_shift(aws):
    aws.client("codedeploy").create_deployment_config(
        deploymentConfigName="Linear25PercentEvery1Minute", computePlatform="ECS",
        trafficRoutingConfig={"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 25, "linearInterval": 1}})
    setup = _setup(aws, config="Linear25PercentEvery1Minute", termination_minutes=0)
    deployment_id = _deploy(aws)
    seen = []
    for _ in range(600):
        green = _weights(aws, setup["prod_rule"]).get(setup["green"], 0)
        if not seen or seen[-1] != green:
            seen.append(green)
        if _status(aws, deployment_id)["status"] == "Succeeded":
            break
        aws.advance(2)
    assert seen == [0, 25, 50, 75, 100]
    assert _status(aws, deployment_id)["status"] == "Succeeded"


def test_successful_deployment_moves_the_service_to_the_other_target_group(aws):
    """DescribeServices after a CodeDeploy blue/green deployment names the replacement's target
    group (ecspresso#936, terraform-provider-aws#13192); the next deployment swaps back."""
    setup = _setup(aws)
    ecs = aws.client("ecs")
    for expected in ("green", "blue"):
        deployment = _deploy(aws)
        for _ in range(40):
            if _status(aws, deployment)["status"] == "Succeeded":
                break
            aws.advance(30)
        assert _status(aws, deployment)["status"] == "Succeeded"
        service = ecs.describe_services(cluster="shop", services=["checkout-api"])["services"][0]
        assert service["loadBalancers"][0]["targetGroupArn"] == setup[expected]


@pytest.mark.parametrize("change", [
    {"loadBalancers": [{"targetGroupArn": "x", "containerName": "app", "containerPort": 8080}]},
    {"networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"]}}},
    {"forceNewDeployment": True},
])
def test_update_service_refuses_what_only_a_codedeploy_deployment_changes(aws, change):
    """botocore ecs UpdateService: on a CODE_DEPLOY service only desired count, deployment
    configuration, health check grace period, placement, managed tags and tag propagation can be
    updated; AWS answers "Unable to update load balancers on services with a CODE_DEPLOY deployment
    controller" (ecspresso#936)."""
    _setup(aws)
    ecs = aws.client("ecs")
    with pytest.raises(ClientError) as raised:
        ecs.update_service(cluster="shop", service="checkout-api", **change)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "CODE_DEPLOY deployment controller" in raised.value.response["Error"]["Message"]
    ecs.update_service(cluster="shop", service="checkout-api", desiredCount=3, healthCheckGracePeriodSeconds=30, propagateTags="SERVICE")


def test_replacement_in_a_group_no_listener_uses_is_not_health_gated(aws):
    """ELB reports targets of a group no listener or rule forwards to as `unused` (Target.NotInUse,
    ELB API Reference TargetHealth) and runs no health checks, so nothing gates the replacement: a
    broken one passes Install. (Why ecsship's production rule forwards to both groups from the start.)"""
    setup = _setup(aws, green_in_use=False)
    elb = aws.client("elbv2")
    deployment_id = _deploy(aws, tag="broken")
    target = {}
    for _ in range(60):
        aws.advance(5)
        target = aws.client("codedeploy").get_deployment_target(deploymentId=deployment_id, targetId="shop:checkout-api")["deploymentTarget"]["ecsTarget"]
        events = {e["lifecycleEventName"]: e["status"] for e in target["lifecycleEvents"]}
        if events["Install"] != "InProgress" and events["Install"] != "Pending":
            break
        health = elb.describe_target_health(TargetGroupArn=setup["green"])["TargetHealthDescriptions"]
        assert {h["TargetHealth"]["State"] for h in health} <= {"unused"}
    assert {e["lifecycleEventName"]: e["status"] for e in target["lifecycleEvents"]}["Install"] == "Succeeded"
