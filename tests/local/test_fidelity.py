"""Each fidelity fix: the AWS behaviour it restores, checked through plain boto3 (fails on plain moto)."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.local.helpers import forward_rule, register_task_definition, rolling_service, seeded_network, target_group


def test_create_service_keeps_every_parameter(aws):
    """AWS CreateService/DescribeServices: deploymentConfiguration, grace period, capacity provider
    strategy (and no launchType), execute command, managed tags, propagateTags, advancedConfiguration."""
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="shop", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    network = seeded_network(aws)
    blue = target_group(aws, network["vpc"], "keep-blue")
    green = target_group(aws, network["vpc"], "keep-green")
    forward_rule(aws, 443, [(blue, 100), (green, 0)])
    config = {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 150, "minimumHealthyPercent": 50,
        "alarms": {"alarmNames": ["checkout-5xx"], "enable": True, "rollback": True},
        "strategy": "CANARY", "bakeTimeInMinutes": 5, "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3},
    }
    advanced = {"alternateTargetGroupArn": green, "productionListenerRule": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/main/x/y/z",
                "roleArn": "arn:aws:iam::123456789012:role/ecs-infra"}
    ecs.create_service(
        cluster="shop", serviceName="keep", taskDefinition=register_task_definition(aws), desiredCount=0,
        capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 3}, {"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": network["subnets"], "securityGroups": [network["security_group"]]}},
        loadBalancers=[{"targetGroupArn": blue, "containerName": "app", "containerPort": 8080, "advancedConfiguration": advanced}],
        deploymentConfiguration=config, healthCheckGracePeriodSeconds=45, enableExecuteCommand=True,
        enableECSManagedTags=True, propagateTags="SERVICE",
    )
    service = ecs.describe_services(cluster="shop", services=["keep"])["services"][0]
    for key, value in config.items():
        assert service["deploymentConfiguration"][key] == value, key
    assert service["healthCheckGracePeriodSeconds"] == 45
    # Every item kept, in order, with its weight and base. A `base` left out counts as 0
    # (CapacityProviderStrategyItem.base: "If no value is specified, the default value of 0 is used").
    kept = [{"base": 0, **item} for item in service["capacityProviderStrategy"]]
    assert kept == [{"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0}, {"capacityProvider": "FARGATE", "weight": 1, "base": 1}]
    assert "launchType" not in service, "a capacity provider service reports no launchType"
    assert service["enableExecuteCommand"] is True and service["enableECSManagedTags"] is True
    assert service["propagateTags"] == "SERVICE"
    assert service["loadBalancers"][0]["advancedConfiguration"]["alternateTargetGroupArn"] == green


def test_deployment_configuration_defaults(aws):
    """AWS fills maximumPercent 200, minimumHealthyPercent 100 and a disabled circuit breaker."""
    rolling_service(aws, desired=0, load_balancer=False, deployment_configuration={})
    config = aws.client("ecs").describe_services(cluster="shop", services=["checkout-api"])["services"][0]["deploymentConfiguration"]
    assert config["maximumPercent"] == 200 and config["minimumHealthyPercent"] == 100
    assert config["deploymentCircuitBreaker"] == {"enable": False, "rollback": False}


def test_duplicate_create_service_fails_like_aws(aws):
    """AWS: CreateService for an ACTIVE service name -> InvalidParameterException, not a replacement."""
    setup = rolling_service(aws, desired=0, load_balancer=False)
    with pytest.raises(ClientError) as error:
        aws.client("ecs").create_service(cluster="shop", serviceName="checkout-api", taskDefinition=setup["task_definition"], desiredCount=5)
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"
    assert error.value.response["Error"]["Message"] == "Creation of service was not idempotent."
    assert aws.client("ecs").describe_services(cluster="shop", services=["checkout-api"])["services"][0]["desiredCount"] == 0


def test_update_task_definition_starts_a_new_primary_deployment(aws):
    """AWS UpdateService(taskDefinition): a new PRIMARY deployment; the previous one stays ACTIVE."""
    setup = rolling_service(aws, desired=1, load_balancer=False)
    before = setup["service"]["deployments"]
    assert len(before) == 1 and before[0]["status"] == "PRIMARY"
    v2 = register_task_definition(aws, tag="v2")
    service = aws.client("ecs").update_service(cluster="shop", service="checkout-api", taskDefinition=v2)["service"]
    statuses = {d["status"]: d for d in service["deployments"]}
    assert set(statuses) == {"PRIMARY", "ACTIVE"}
    assert statuses["PRIMARY"]["taskDefinition"] == v2 and statuses["PRIMARY"]["id"] != before[0]["id"]
    assert statuses["ACTIVE"]["id"] == before[0]["id"] and statuses["ACTIVE"]["taskDefinition"] == setup["task_definition"]
    assert statuses["PRIMARY"]["rolloutState"] == "IN_PROGRESS"
    assert service["taskDefinition"] == v2


def test_desired_count_change_does_not_jump(aws):
    """AWS: desiredCount is a target; runningCount follows as tasks start (moto sets it at once)."""
    rolling_service(aws, desired=0, load_balancer=False)
    service = aws.client("ecs").update_service(cluster="shop", service="checkout-api", desiredCount=3)["service"]
    assert service["desiredCount"] == 3 and service["runningCount"] == 0
    assert len(service["deployments"]) == 1


def test_code_deploy_service_rejects_task_definition_update(aws):
    """AWS: UpdateService(taskDefinition) on a CODE_DEPLOY service -> InvalidParameterException."""
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="shop")
    network = seeded_network(aws)
    ecs.create_service(cluster="shop", serviceName="bg", taskDefinition=register_task_definition(aws), desiredCount=0,
                       deploymentController={"type": "CODE_DEPLOY"}, launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {"subnets": network["subnets"], "securityGroups": [network["security_group"]]}})
    with pytest.raises(ClientError) as error:
        ecs.update_service(cluster="shop", service="bg", taskDefinition=register_task_definition(aws, tag="v2"))
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "CODE_DEPLOY" in error.value.response["Error"]["Message"]


def test_new_alarm_starts_insufficient_data_and_update_keeps_state(aws):
    """AWS PutMetricAlarm: a new alarm is INSUFFICIENT_DATA; updating an alarm keeps its state."""
    cloudwatch = aws.client("cloudwatch")
    kwargs = dict(AlarmName="checkout-5xx", MetricName="HTTPCode_Target_5XX_Count", Namespace="AWS/ApplicationELB",
                  Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanThreshold")
    cloudwatch.put_metric_alarm(**kwargs)
    alarm = cloudwatch.describe_alarms(AlarmNames=["checkout-5xx"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    aws.set_alarm("checkout-5xx", "ALARM")
    cloudwatch.put_metric_alarm(**{**kwargs, "Threshold": 10})
    alarm = cloudwatch.describe_alarms(AlarmNames=["checkout-5xx"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "ALARM" and alarm["Threshold"] == 10


def test_deleted_vpc_endpoint_goes_deleting_deleted_then_gone(aws):
    """AWS DescribeVpcEndpoints: deleting, then deleted for a while, then NotFound; vpc-endpoint-id filter works."""
    ec2 = aws.client("ec2")
    network = seeded_network(aws)
    tables = [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[{"Name": "tag:tier", "Values": ["private"]}])["RouteTables"]]
    endpoint = ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway", RouteTableIds=tables)["VpcEndpoint"]["VpcEndpointId"]
    by_filter = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-endpoint-id", "Values": [endpoint]}])["VpcEndpoints"]
    assert [e["VpcEndpointId"] for e in by_filter] == [endpoint]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["State"].lower() == "deleting"
    aws.advance(30)
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])["VpcEndpoints"][0]["State"].lower() == "deleted"
    aws.advance(600)
    with pytest.raises(ClientError) as error:
        ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint])
    assert "NotFound" in error.value.response["Error"]["Code"]


def test_a_group_an_interface_endpoint_holds_cannot_be_deleted_until_it_is_deleted(aws):
    """botocore ec2 DeleteSecurityGroup: a group "associated with an instance or network interface"
    fails with DependencyViolation; an interface endpoint's interfaces hold it until it is deleted."""
    ec2 = aws.client("ec2")
    network = seeded_network(aws)
    group = ec2.create_security_group(GroupName="held", Description="held", VpcId=network["vpc"])["GroupId"]
    endpoint = ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName="com.amazonaws.us-east-1.logs", VpcEndpointType="Interface",
                                       SubnetIds=network["subnets"][:1], SecurityGroupIds=[group])["VpcEndpoint"]["VpcEndpointId"]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    with pytest.raises(ClientError) as error:
        ec2.delete_security_group(GroupId=group)
    assert error.value.response["Error"]["Code"] == "DependencyViolation"
    aws.advance(30)
    ec2.delete_security_group(GroupId=group)


def _codedeploy_group(aws, **extra):
    codedeploy = aws.client("codedeploy")
    codedeploy.create_application(applicationName="shop", computePlatform="ECS")
    codedeploy.create_deployment_group(
        applicationName="shop", deploymentGroupName="checkout", serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}, **extra)
    return codedeploy


def test_codedeploy_group_keeps_alarm_configuration_and_ecs_default_config(aws):
    """AWS GetDeploymentGroup returns alarmConfiguration as set; ECS groups default to ECSAllAtOnce."""
    alarms = {"enabled": True, "ignorePollAlarmFailure": False, "alarms": [{"name": "checkout-5xx"}]}
    codedeploy = _codedeploy_group(aws, alarmConfiguration=alarms)
    group = codedeploy.get_deployment_group(applicationName="shop", deploymentGroupName="checkout")["deploymentGroupInfo"]
    assert group["alarmConfiguration"] == alarms
    assert group["deploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce"


def test_codedeploy_update_deployment_group(aws):
    """AWS UpdateDeploymentGroup changes config, alarms, rollback; unknown configs are rejected."""
    codedeploy = _codedeploy_group(aws)
    codedeploy.update_deployment_group(
        applicationName="shop", currentDeploymentGroupName="checkout", deploymentConfigName="CodeDeployDefault.ECSCanary10Percent5Minutes",
        alarmConfiguration={"enabled": True, "alarms": [{"name": "a"}]}, autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]})
    group = codedeploy.get_deployment_group(applicationName="shop", deploymentGroupName="checkout")["deploymentGroupInfo"]
    assert group["deploymentConfigName"] == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    assert group["alarmConfiguration"]["alarms"] == [{"name": "a"}] and group["autoRollbackConfiguration"]["enabled"] is True
    with pytest.raises(ClientError) as error:
        codedeploy.update_deployment_group(applicationName="shop", currentDeploymentGroupName="checkout", deploymentConfigName="Nope")
    assert error.value.response["Error"]["Code"] == "DeploymentConfigDoesNotExistException"
    codedeploy.delete_deployment_group(applicationName="shop", deploymentGroupName="checkout")
    assert codedeploy.list_deployment_groups(applicationName="shop")["deploymentGroups"] == []


def test_codedeploy_deployment_configs(aws):
    """AWS Create/Get/List/DeleteDeploymentConfig, built-in configs listed and undeletable, in-use configs kept."""
    codedeploy = aws.client("codedeploy")
    routing = {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 20, "canaryInterval": 2}}
    codedeploy.create_deployment_config(deploymentConfigName="Canary20Percent2Minutes", computePlatform="ECS", trafficRoutingConfig=routing)
    info = codedeploy.get_deployment_config(deploymentConfigName="Canary20Percent2Minutes")["deploymentConfigInfo"]
    assert info["trafficRoutingConfig"] == routing and info["computePlatform"] == "ECS"
    builtin = codedeploy.get_deployment_config(deploymentConfigName="CodeDeployDefault.ECSLinear10PercentEvery1Minutes")["deploymentConfigInfo"]
    assert builtin["trafficRoutingConfig"]["timeBasedLinear"] == {"linearPercentage": 10, "linearInterval": 1}
    names = codedeploy.list_deployment_configs()["deploymentConfigsList"]
    assert "Canary20Percent2Minutes" in names and "CodeDeployDefault.ECSAllAtOnce" in names
    with pytest.raises(ClientError) as error:
        codedeploy.create_deployment_config(deploymentConfigName="Canary20Percent2Minutes", computePlatform="ECS", trafficRoutingConfig=routing)
    assert error.value.response["Error"]["Code"] == "DeploymentConfigAlreadyExistsException"
    with pytest.raises(ClientError) as error:
        codedeploy.delete_deployment_config(deploymentConfigName="CodeDeployDefault.ECSAllAtOnce")
    assert error.value.response["Error"]["Code"] == "InvalidOperationException"
    _codedeploy_group(aws, deploymentConfigName="Canary20Percent2Minutes")
    with pytest.raises(ClientError) as error:
        codedeploy.delete_deployment_config(deploymentConfigName="Canary20Percent2Minutes")
    assert error.value.response["Error"]["Code"] == "DeploymentConfigInUseException"
    codedeploy.delete_deployment_group(applicationName="shop", deploymentGroupName="checkout")
    codedeploy.delete_deployment_config(deploymentConfigName="Canary20Percent2Minutes")
    with pytest.raises(ClientError) as error:
        codedeploy.get_deployment_config(deploymentConfigName="Canary20Percent2Minutes")
    assert error.value.response["Error"]["Code"] == "DeploymentConfigDoesNotExistException"


def test_alarm_history_records_state_changes(aws):
    """AWS DescribeAlarmHistory: each state change is a StateUpdate item, newest first (moto: not implemented)."""
    cloudwatch = aws.client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName="checkout-5xx", MetricName="5xx", Namespace="AWS/ApplicationELB", Statistic="Sum",
                                Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    aws.set_alarm("checkout-5xx", "ALARM")
    aws.advance(5)
    aws.set_alarm("checkout-5xx", "OK")
    items = cloudwatch.describe_alarm_history(AlarmName="checkout-5xx", HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    assert [i["HistorySummary"] for i in items] == ["Alarm updated from ALARM to OK", "Alarm updated from INSUFFICIENT_DATA to ALARM"]


def test_scalable_target_bounds_scale_the_service_and_show_as_activities(aws):
    """AWS RegisterScalableTarget scales a service below MinCapacity up to it, recorded as a scaling
    activity; DescribeScalingActivities answers (moto: HTTP 500, retried by botocore)."""
    rolling_service(aws, desired=0, load_balancer=False)
    client = aws.client("application-autoscaling")
    assert client.describe_scaling_activities(ServiceNamespace="ecs")["ScalingActivities"] == []
    client.register_scalable_target(ServiceNamespace="ecs", ResourceId="service/shop/checkout-api",
                                    ScalableDimension="ecs:service:DesiredCount", MinCapacity=2, MaxCapacity=20)
    assert aws.client("ecs").describe_services(cluster="shop", services=["checkout-api"])["services"][0]["desiredCount"] == 2
    (activity,) = client.describe_scaling_activities(ServiceNamespace="ecs", ResourceId="service/shop/checkout-api")["ScalingActivities"]
    assert activity["Description"] == "Setting desired count to 2." and activity["StatusCode"] == "Successful"



def test_fargate_cpu_memory_combinations_are_validated(aws):
    """AWS RegisterTaskDefinition (FARGATE): only documented cpu/memory pairs (moto accepts any)."""
    ecs = aws.client("ecs")
    container = [{"name": "app", "image": "nginx", "essential": True}]
    with pytest.raises(ClientError) as error:
        ecs.register_task_definition(family="bad", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="512", memory="512", containerDefinitions=container)
    assert error.value.response["Error"]["Code"] == "ClientException"
    assert "No Fargate configuration exists for given values" in error.value.response["Error"]["Message"]
    ecs.register_task_definition(family="good", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="0.5 vCPU", memory="1 GB", containerDefinitions=container)


def test_list_task_definitions_sorts_descending(aws):
    """AWS ListTaskDefinitions(sort=DESC): newest revision first (moto ignores sort)."""
    arns = [register_task_definition(aws, tag=tag) for tag in ("v1", "v2", "v3")]
    listed = aws.client("ecs").list_task_definitions(familyPrefix="checkout-api", sort="DESC")["taskDefinitionArns"]
    assert listed == list(reversed(arns))


def test_log_retention_accepts_only_documented_values(aws):
    """AWS PutRetentionPolicy: retentionInDays from a fixed set (moto accepts any number)."""
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/ecs/checkout-api")
    logs.put_retention_policy(logGroupName="/ecs/checkout-api", retentionInDays=30)
    with pytest.raises(ClientError) as error:
        logs.put_retention_policy(logGroupName="/ecs/checkout-api", retentionInDays=31)
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"


def test_malformed_trust_policy_is_rejected(aws):
    """AWS CreateRole: the trust policy must be valid JSON with statements (moto accepts anything)."""
    iam = aws.client("iam")
    with pytest.raises(ClientError) as error:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument="{not json")
    assert error.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    import json

    iam.create_role(RoleName="good", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="good", PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")


def test_moto_timestamps_follow_the_backend_clock(aws):
    """One clock: timestamps moto writes move with the simulated time, like the simulator's events."""
    cloudwatch = aws.client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName="clock", MetricName="m", Namespace="n", Statistic="Sum", Period=60,
                                EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    created = cloudwatch.describe_alarms(AlarmNames=["clock"])["MetricAlarms"][0]["StateUpdatedTimestamp"]
    aws.advance(7200)
    aws.set_alarm("clock", "ALARM")
    changed = cloudwatch.describe_alarms(AlarmNames=["clock"])["MetricAlarms"][0]["StateUpdatedTimestamp"]
    assert (changed - created).total_seconds() >= 7200


def test_modify_vpc_endpoint_private_dns(aws):
    """AWS ModifyVpcEndpoint(PrivateDnsEnabled) turns private DNS on or off (moto ignores it)."""
    ec2 = aws.client("ec2")
    network = seeded_network(aws)
    endpoint = ec2.create_vpc_endpoint(VpcId=network["vpc"], ServiceName="com.amazonaws.us-east-1.ecr.api", VpcEndpointType="Interface",
                                       SubnetIds=network["subnets"], SecurityGroupIds=[network["security_group"]], PrivateDnsEnabled=False)["VpcEndpoint"]
    assert endpoint["PrivateDnsEnabled"] is False
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], PrivateDnsEnabled=True)
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])["VpcEndpoints"][0]["PrivateDnsEnabled"] is True


def test_service_needs_a_target_group_with_a_load_balancer(aws):
    """AWS CreateService rejects a target group no listener or rule uses (moto accepts it)."""
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="shop")
    network = seeded_network(aws)
    lonely = target_group(aws, network["vpc"], "lonely")
    with pytest.raises(ClientError) as error:
        ecs.create_service(cluster="shop", serviceName="svc", taskDefinition=register_task_definition(aws), desiredCount=1, launchType="FARGATE",
                           networkConfiguration={"awsvpcConfiguration": {"subnets": network["subnets"], "securityGroups": [network["security_group"]]}},
                           loadBalancers=[{"targetGroupArn": lonely, "containerName": "app", "containerPort": 8080}])
    assert error.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "does not have an associated load balancer" in error.value.response["Error"]["Message"]

    # botocore elbv2 TargetGroup.LoadBalancerArns: "the load balancer that routes traffic to this target
    # group": a rule modified to forward to a group associates it, the group it left has none (moto kept both).
    elb = aws.client("elbv2")
    first = target_group(aws, network["vpc"], "first")
    rule = forward_rule(aws, 443, [(first, 100)])
    elb.modify_rule(RuleArn=rule, Actions=[{"Type": "forward", "TargetGroupArn": lonely}])
    linked = {g["TargetGroupArn"]: g["LoadBalancerArns"] for g in elb.describe_target_groups(TargetGroupArns=[first, lonely])["TargetGroups"]}
    assert linked[first] == [] and len(linked[lonely]) == 1


def test_linear_and_canary_step_limits(aws):
    """botocore ecs model, LinearConfiguration.stepPercent: "Valid values are multiples of 0.1 from 3.0
    to 100.0"; stepBakeTimeInMinutes: "Valid values are 0 to 1440 minutes (24 hours)"."""
    aws.client("ecs").create_cluster(clusterName="shop")
    task_definition = register_task_definition(aws)
    for config in ({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 2.0, "stepBakeTimeInMinutes": 1}},
                   {"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 1441}}):
        with pytest.raises(ClientError) as error:
            aws.client("ecs").create_service(cluster="shop", serviceName="steps", taskDefinition=task_definition, desiredCount=0,
                                             launchType="FARGATE", deploymentConfiguration=config)
        assert error.value.response["Error"]["Code"] == "InvalidParameterException"


def test_deletes_refused_as_aws_refuses_them_and_tagged_lookup(aws):
    """What orphan cleanup (plan/orphans.py) relies on, as AWS documents it:
    - elbv2 DeleteTargetGroup: "You can delete a target group if it is not referenced by any actions"
      (ResourceInUseException);
    - elbv2 DeleteRule of a rule that does not exist: RuleNotFoundException (moto returned success);
    - iam DeleteRole: "you must delete the items attached to the role manually, or the deletion
      fails" (DeleteConflictException while an inline policy is left);
    - resourcegroupstaggingapi GetResources with TagFilters returns the CodeDeploy applications and
      groups and the target groups carrying every filtered tag, nothing else."""
    network = seeded_network(aws)
    elb = aws.client("elbv2")
    group = target_group(aws, network["vpc"], "in-use")
    rule = forward_rule(aws, 443, [(group, 100)])
    with pytest.raises(ClientError) as error:
        elb.delete_target_group(TargetGroupArn=group)
    assert error.value.response["Error"]["Code"] == "ResourceInUse"
    elb.delete_rule(RuleArn=rule)
    with pytest.raises(ClientError) as error:
        elb.delete_rule(RuleArn=rule)
    assert error.value.response["Error"]["Code"] == "RuleNotFound"
    elb.delete_target_group(TargetGroupArn=group)

    iam = aws.client("iam")
    iam.create_role(RoleName="held", AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                    '"Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
    iam.put_role_policy(RoleName="held", PolicyName="p", PolicyDocument='{"Version": "2012-10-17", "Statement": '
                        '[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}')
    with pytest.raises(ClientError) as error:
        iam.delete_role(RoleName="held")
    assert error.value.response["Error"]["Code"] == "DeleteConflict"

    ours = [{"Key": "ecsship:service", "Value": "svc"}, {"Key": "ecsship:cluster", "Value": "prod"}]
    aws.client("codedeploy").create_application(applicationName="prod-svc", computePlatform="ECS", tags=ours)
    aws.client("codedeploy").create_application(applicationName="staging-svc", computePlatform="ECS",
                                                tags=[ours[0], {"Key": "ecsship:cluster", "Value": "staging"}])
    tagged = elb.create_target_group(Name="prod-svc-blue", Protocol="HTTP", Port=80, VpcId=network["vpc"], TargetType="ip",
                                     Tags=ours)["TargetGroups"][0]["TargetGroupArn"]
    found = aws.client("resourcegroupstaggingapi").get_resources(
        TagFilters=[{"Key": t["Key"], "Values": [t["Value"]]} for t in ours],
        ResourceTypeFilters=["codedeploy:application", "codedeploy:deploymentgroup", "elasticloadbalancing:targetgroup"])
    assert sorted(m["ResourceARN"].rsplit(":", 1)[-1] for m in found["ResourceTagMappingList"]) == sorted(["prod-svc", tagged.rsplit(":", 1)[-1]])
    # EventBridge rules are in that index too ("Services that support the Resource Groups Tagging API"); moto had buses only
    events = aws.client("events")
    rule = events.put_rule(Name="prod-svc-jobs-failed", EventPattern='{"source": ["aws.ecs"]}', Tags=ours)["RuleArn"]
    events.put_rule(Name="other-jobs-failed", EventPattern='{"source": ["aws.ecs"]}')
    found = aws.client("resourcegroupstaggingapi").get_resources(
        TagFilters=[{"Key": t["Key"], "Values": [t["Value"]]} for t in ours], ResourceTypeFilters=["events:rule"])
    assert [m["ResourceARN"] for m in found["ResourceTagMappingList"]] == [rule]
    # ELB listener rules too, with all their tags ("All tagged resources ... are returned by the Get*
    # operation", botocore GetResourcesInput.ResourceTypeFilters; ELB AddTags tags "listeners, and rules");
    # moto had load balancers and target groups only. The plan reads a rule's ownership from it (tag_index.py).
    listener_rule = forward_rule(aws, 443, [(tagged, 100)])
    elb.add_tags(ResourceArns=[listener_rule], Tags=[*ours, {"Key": "team", "Value": "payments"}])
    forward_rule(aws, 443, [(tagged, 100)], priority=101)  # untagged: not listed
    found = aws.client("resourcegroupstaggingapi").get_resources(
        TagFilters=[{"Key": t["Key"], "Values": [t["Value"]]} for t in ours], ResourceTypeFilters=["elasticloadbalancing"])
    listed = {m["ResourceARN"]: {t["Key"]: t["Value"] for t in m["Tags"]} for m in found["ResourceTagMappingList"]}
    assert sorted(listed) == sorted([tagged, listener_rule]) and listed[listener_rule]["team"] == "payments"


def test_requested_certificates_are_distinct_and_issued_with_one_key(aws):
    """ACM keeps an issued certificate's private key (botocore `acm ExportCertificate`: only with a
    passphrase, for private-CA or exportable public certificates), so the local AWS signs every certificate
    it issues with one key per process (a new RSA key cost ~75 ms of every reset); each certificate is still
    its own: ARN, names, serial. GetCertificate returns the certificate PEM."""
    from cryptography import x509

    acm = aws.client("acm")
    arns = [acm.request_certificate(DomainName=name, ValidationMethod="DNS")["CertificateArn"]
            for name in ("a.example.com", "b.example.com")]
    certs = [x509.load_pem_x509_certificate(acm.get_certificate(CertificateArn=arn)["Certificate"].encode()) for arn in arns]
    assert arns[0] != arns[1] and certs[0].serial_number != certs[1].serial_number
    assert [c.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value for c in certs] == ["a.example.com", "b.example.com"]
    assert certs[0].public_key().public_numbers() == certs[1].public_key().public_numbers()
    assert [acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] for arn in arns] == ["ISSUED", "ISSUED"]


def test_describe_tags_answers_at_most_20_resources(aws):
    """botocore elbv2 DescribeTags.ResourceArns: "You can specify up to 20 resources in a single call"
    (moto answered any number; ecsship batches, reconcilers/elb_tags.py)."""
    network = seeded_network(aws)
    elb = aws.client("elbv2")
    group = target_group(aws, network["vpc"], "tagged")
    assert len(elb.describe_tags(ResourceArns=[group] * 20)["TagDescriptions"]) >= 1
    with pytest.raises(ClientError) as error:
        elb.describe_tags(ResourceArns=[group] * 21)
    assert error.value.response["Error"]["Code"] == "ValidationError"
