"""ECS-native CANARY / BLUE_GREEN / LINEAR deployments: listener rule weights over time, rollback."""
from __future__ import annotations

from tests.local.helpers import describe_service, forward_rule, register_task_definition, seeded_network, target_group


def _weights(aws, rule_arn: str) -> dict[str, int]:
    action = aws.client("elbv2").describe_rules(RuleArns=[rule_arn])["Rules"][0]["Actions"][0]
    return {g["TargetGroupArn"]: g["Weight"] for g in action["ForwardConfig"]["TargetGroups"]}


def _current(aws) -> dict:
    ecs = aws.client("ecs")
    arn = ecs.list_service_deployments(cluster="shop", service="checkout-api")["serviceDeployments"][0]["serviceDeploymentArn"]
    return ecs.describe_service_deployments(serviceDeploymentArns=[arn])["serviceDeployments"][0]


def _setup(aws, strategy: str, **config):
    aws.client("ecs").create_cluster(clusterName="shop")
    network = seeded_network(aws)
    blue = target_group(aws, network["vpc"], "native-blue")
    green = target_group(aws, network["vpc"], "native-green")
    prod = forward_rule(aws, 443, [(blue, 100), (green, 0)])
    test = forward_rule(aws, 8443, [(blue, 100), (green, 0)])
    deployment = {"strategy": strategy, "maximumPercent": 200, "minimumHealthyPercent": 100,
                  "deploymentCircuitBreaker": {"enable": True, "rollback": True}, **config}
    ecs = aws.client("ecs")
    ecs.create_service(
        cluster="shop", serviceName="checkout-api", taskDefinition=register_task_definition(aws), desiredCount=2, launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": network["subnets"], "securityGroups": [network["security_group"]]}},
        loadBalancers=[{"targetGroupArn": blue, "containerName": "app", "containerPort": 8080, "advancedConfiguration": {
            "alternateTargetGroupArn": green, "productionListenerRule": prod, "testListenerRule": test,
            "roleArn": "arn:aws:iam::123456789012:role/ecs-infrastructure"}}],
        deploymentConfiguration=deployment, healthCheckGracePeriodSeconds=10,
    )
    aws.advance(60)
    assert _current(aws)["status"] == "SUCCESSFUL"
    return {"blue": blue, "green": green, "prod": prod, "test": test}


def test_canary_shifts_ten_percent_then_all(aws):
    setup = _setup(aws, "CANARY", canaryConfiguration={"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 2}, bakeTimeInMinutes=1)
    v2 = register_task_definition(aws, tag="v2")
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=v2)
    aws.advance(3)
    deployment = _current(aws)
    assert deployment["status"] == "IN_PROGRESS" and deployment["lifecycleStage"] == "SCALE_UP"
    assert _weights(aws, setup["prod"]) == {setup["blue"]: 100, setup["green"]: 0}
    green_tasks = lambda: [h for h in aws.client("elbv2").describe_target_health(TargetGroupArn=setup["green"])["TargetHealthDescriptions"]]
    for _ in range(60):
        if _weights(aws, setup["prod"])[setup["green"]] > 0:
            break
        aws.advance(2)
    assert len(green_tasks()) == 2, "the green revision runs in full on the alternate target group"
    assert _weights(aws, setup["test"]) == {setup["blue"]: 0, setup["green"]: 100}, "test traffic first"
    assert _weights(aws, setup["prod"]) == {setup["blue"]: 90, setup["green"]: 10}
    deployment = _current(aws)
    assert deployment["lifecycleStage"] == "PRODUCTION_TRAFFIC_SHIFT"
    assert deployment["targetServiceRevision"]["requestedProductionTrafficWeight"] == 10.0
    assert deployment["sourceServiceRevisions"][0]["requestedProductionTrafficWeight"] == 90.0
    aws.advance(100)
    assert _weights(aws, setup["prod"])[setup["green"]] == 10, "holds for canaryBakeTimeInMinutes"
    aws.advance(25)
    assert _weights(aws, setup["prod"]) == {setup["blue"]: 0, setup["green"]: 100}
    assert _current(aws)["lifecycleStage"] == "BAKE_TIME"
    assert describe_service(aws)["runningCount"] == 4, "blue kept during bake time"
    aws.advance(65)
    deployment = _current(aws)
    assert deployment["status"] == "SUCCESSFUL"
    aws.advance(30)
    service = describe_service(aws)
    assert service["runningCount"] == 2 and len(service["deployments"]) == 1 and service["taskDefinition"] == v2


def test_blue_green_rolls_back_on_alarm_and_target_groups_alternate(aws):
    aws.client("cloudwatch").put_metric_alarm(AlarmName="checkout-5xx", MetricName="5xx", Namespace="AWS/ApplicationELB", Statistic="Sum",
                                              Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    setup = _setup(aws, "BLUE_GREEN", bakeTimeInMinutes=5, alarms={"alarmNames": ["checkout-5xx"], "enable": True, "rollback": True})
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v2"))
    for _ in range(120):
        if _weights(aws, setup["prod"])[setup["green"]] == 100:
            break
        aws.advance(1)
    assert _current(aws)["lifecycleStage"] == "BAKE_TIME"
    aws.set_alarm("checkout-5xx", "ALARM")
    aws.advance(2)
    assert _current(aws)["status"] == "ROLLBACK_IN_PROGRESS"
    assert _weights(aws, setup["prod"]) == {setup["blue"]: 100, setup["green"]: 0}
    assert _weights(aws, setup["test"]) == {setup["blue"]: 100, setup["green"]: 0}
    aws.advance(60)
    assert _current(aws)["status"] == "ROLLBACK_SUCCESSFUL"
    assert describe_service(aws)["runningCount"] == 2
    aws.set_alarm("checkout-5xx", "OK")
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v3"))
    for _ in range(120):
        if _weights(aws, setup["prod"])[setup["green"]] == 100:
            break
        aws.advance(1)
    aws.advance(400)
    assert _current(aws)["status"] == "SUCCESSFUL"
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v2"))
    for _ in range(120):
        if _weights(aws, setup["prod"])[setup["blue"]] == 100:
            break
        aws.advance(1)
    assert _weights(aws, setup["prod"]) == {setup["blue"]: 100, setup["green"]: 0}, "the next deployment goes back to the first target group"


def test_linear_moves_step_percent_every_step_bake_time(aws):
    setup = _setup(aws, "LINEAR", linearConfiguration={"stepPercent": 25.0, "stepBakeTimeInMinutes": 1})
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v2"))
    seen = []
    for _ in range(600):
        green = _weights(aws, setup["prod"])[setup["green"]]
        if not seen or seen[-1] != green:
            seen.append(green)
        if green == 100:
            break
        aws.advance(2)
    assert seen == [0, 25, 50, 75, 100]


def test_pause_hook_holds_until_continue_and_rollback_action(aws):
    hooks = [{"targetType": "PAUSE", "lifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]
    setup = _setup(aws, "BLUE_GREEN", lifecycleHooks=hooks)
    ecs = aws.client("ecs")
    ecs.update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v2"))
    for _ in range(120):
        if _current(aws).get("lifecycleHookDetails"):
            break
        aws.advance(1)
    deployment = _current(aws)
    (hook,) = deployment["lifecycleHookDetails"]
    assert hook["status"] == "AWAITING_ACTION" and hook["targetType"] == "PAUSE"
    assert deployment["lifecycleStage"] == "POST_TEST_TRAFFIC_SHIFT"
    assert _weights(aws, setup["test"])[setup["green"]] == 100 and _weights(aws, setup["prod"])[setup["green"]] == 0
    aws.advance(600)
    assert _current(aws)["lifecycleHookDetails"][0]["status"] == "AWAITING_ACTION", "a PAUSE hook waits without a timeout"
    ecs.continue_service_deployment(serviceDeploymentArn=deployment["serviceDeploymentArn"], hookId=hook["hookId"], action="CONTINUE")
    aws.advance(2)
    assert _weights(aws, setup["prod"])[setup["green"]] == 100
    aws.advance(60)
    assert _current(aws)["status"] == "SUCCESSFUL"

    ecs.update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v3"))
    for _ in range(120):
        if _current(aws).get("lifecycleHookDetails"):
            break
        aws.advance(1)
    deployment = _current(aws)
    ecs.continue_service_deployment(serviceDeploymentArn=deployment["serviceDeploymentArn"],
                                    hookId=deployment["lifecycleHookDetails"][0]["hookId"], action="ROLLBACK")
    aws.advance(60)
    assert _current(aws)["status"] == "ROLLBACK_SUCCESSFUL"
    assert describe_service(aws)["taskDefinition"].endswith(":2")


def test_broken_green_trips_the_circuit_breaker_before_any_traffic_moves(aws):
    setup = _setup(aws, "BLUE_GREEN")
    aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="broken"))
    for _ in range(300):
        if _current(aws)["status"] not in ("PENDING", "IN_PROGRESS"):
            break
        assert _weights(aws, setup["prod"]) == {setup["blue"]: 100, setup["green"]: 0}, "no production traffic to a failing revision"
        aws.advance(2)
    deployment = _current(aws)
    assert deployment["status"] in ("ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL")
    assert deployment["deploymentCircuitBreaker"]["status"] == "TRIGGERED"
    aws.advance(60)
    assert _current(aws)["status"] == "ROLLBACK_SUCCESSFUL"
    assert _weights(aws, setup["prod"]) == {setup["blue"]: 100, setup["green"]: 0}
    assert describe_service(aws)["runningCount"] == 2


def test_pre_production_traffic_shift_pauses_before_every_linear_step(aws):
    """botocore ecs DeploymentLifecycleHook.lifecycleStages, PRE_PRODUCTION_TRAFFIC_SHIFT: "Occurs
    before production traffic shift. For linear and canary deployments, this stage is invoked before
    every traffic shift step." Each invocation is a pause of its own, continued by its own hook id."""
    hooks = [{"targetType": "PAUSE", "lifecycleStages": ["PRE_PRODUCTION_TRAFFIC_SHIFT"]}]
    setup = _setup(aws, "LINEAR", linearConfiguration={"stepPercent": 50.0, "stepBakeTimeInMinutes": 1}, lifecycleHooks=hooks)
    ecs = aws.client("ecs")
    ecs.update_service(cluster="shop", service="checkout-api", taskDefinition=register_task_definition(aws, tag="v2"))
    continued, weights = [], []
    for _ in range(400):
        deployment = _current(aws)
        paused = [h for h in deployment.get("lifecycleHookDetails") or [] if h["status"] == "AWAITING_ACTION"]
        if paused:
            weights.append(_weights(aws, setup["prod"])[setup["green"]])
            aws.advance(300)  # a pause holds: nothing shifts while it waits
            assert _weights(aws, setup["prod"])[setup["green"]] == weights[-1]
            continued.append(paused[0]["hookId"])
            ecs.continue_service_deployment(serviceDeploymentArn=deployment["serviceDeploymentArn"], hookId=paused[0]["hookId"], action="CONTINUE")
        if deployment["status"] == "SUCCESSFUL":
            break
        aws.advance(5)
    assert _current(aws)["status"] == "SUCCESSFUL"
    assert weights == [0, 50] and len(set(continued)) == 2
