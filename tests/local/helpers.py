"""Builders for ECS test scenarios on the seeded local account (plain boto3, as a user would)."""
from __future__ import annotations

ACCOUNT = "123456789012"
REGISTRY = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"


def seeded_network(aws) -> dict:
    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    private = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["private"]}])["Subnets"]]
    sg = ec2.create_security_group(GroupName=f"svc-{len(private)}-{vpc[-4:]}", Description="service", VpcId=vpc)["GroupId"]
    return {"vpc": vpc, "subnets": sorted(private), "security_group": sg}


def register_task_definition(aws, family: str = "checkout-api", tag: str = "v1", repository: str = "checkout-api",
                             health_check: dict | None = None) -> str:
    container = {"name": "app", "image": f"{REGISTRY}/{repository}:{tag}", "essential": True,
                 "portMappings": [{"containerPort": 8080, "protocol": "tcp"}]}
    if health_check:
        container["healthCheck"] = health_check
    return aws.client("ecs").register_task_definition(
        family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[container],
    )["taskDefinition"]["taskDefinitionArn"]


def target_group(aws, vpc: str, name: str, interval: int = 5, healthy: int = 2, unhealthy: int = 2, delay: int = 5) -> str:
    elbv2 = aws.client("elbv2")
    arn = elbv2.create_target_group(
        Name=name, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip", HealthCheckPath="/health",
        HealthCheckIntervalSeconds=interval, HealthyThresholdCount=healthy, UnhealthyThresholdCount=unhealthy,
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": str(delay)}])
    return arn


def listener_arn(aws, port: int) -> str:
    elbv2 = aws.client("elbv2")
    alb = elbv2.describe_load_balancers(Names=["main"])["LoadBalancers"][0]["LoadBalancerArn"]
    return next(l["ListenerArn"] for l in elbv2.describe_listeners(LoadBalancerArn=alb)["Listeners"] if l["Port"] == port)


def forward_rule(aws, port: int, groups: list[tuple[str, int]], priority: int = 100, host: str = "checkout.example.com") -> str:
    return aws.client("elbv2").create_rule(
        ListenerArn=listener_arn(aws, port), Priority=priority,
        Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": [host]}}],
        Actions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": arn, "Weight": w} for arn, w in groups]}}],
    )["Rules"][0]["RuleArn"]


def rolling_service(aws, desired: int = 2, tag: str = "v1", load_balancer: bool = True, name: str = "checkout-api",
                    deployment_configuration: dict | None = None, **extra) -> dict:
    """A cluster `shop` and a Fargate service behind the seeded ALB (rule on 443)."""
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="shop")
    network = seeded_network(aws)
    task_definition = register_task_definition(aws, tag=tag)
    kwargs = dict(
        cluster="shop", serviceName=name, taskDefinition=task_definition, desiredCount=desired, launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": network["subnets"], "securityGroups": [network["security_group"]], "assignPublicIp": "DISABLED"}},
        deploymentConfiguration=deployment_configuration if deployment_configuration is not None else {"deploymentCircuitBreaker": {"enable": True, "rollback": True}, "maximumPercent": 200, "minimumHealthyPercent": 100},
    )
    tg = None
    if load_balancer:
        tg = target_group(aws, network["vpc"], f"{name}-blue")
        forward_rule(aws, 443, [(tg, 1)])
        kwargs["loadBalancers"] = [{"targetGroupArn": tg, "containerName": "app", "containerPort": 8080}]
        kwargs["healthCheckGracePeriodSeconds"] = 10
    kwargs.update(extra)
    service = ecs.create_service(**kwargs)["service"]
    return {"service": service, "network": network, "task_definition": task_definition, "target_group": tg}


def describe_service(aws, name: str = "checkout-api") -> dict:
    return aws.client("ecs").describe_services(cluster="shop", services=[name])["services"][0]


def run_until(aws, predicate, step: float = 1.0, limit: float = 1800.0, name: str = "checkout-api"):
    """Advance the backend clock until predicate(service) holds; returns the service. Fails at `limit`."""
    waited = 0.0
    while waited <= limit:
        service = describe_service(aws, name)
        if predicate(service):
            return service
        aws.advance(step)
        waited += step
    raise AssertionError(f"condition not reached within {limit} simulated seconds; last: {service['deployments']}")
