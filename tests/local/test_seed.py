"""The seeded account, read back with plain boto3 against the endpoint (issue 3)."""
from __future__ import annotations

import json

from ecsship.local import seed


def _tags(resource) -> dict:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def test_vpc_subnets_and_route_tables(aws):
    ec2 = aws.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"]
    assert len(vpcs) == 1
    vpc_id = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    by_tier: dict[str, list] = {}
    for subnet in subnets:
        by_tier.setdefault(_tags(subnet)["tier"], []).append(subnet)
    assert {s["AvailabilityZone"] for s in by_tier["private"]} == {"us-east-1a", "us-east-1b"}
    assert {s["AvailabilityZone"] for s in by_tier["public"]} == {"us-east-1a", "us-east-1b"}
    assert len(by_tier["private"]) == 2 and len(by_tier["public"]) == 2

    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    associated = {a["SubnetId"]: t for t in tables for a in t["Associations"] if a.get("SubnetId")}
    for subnet in by_tier["private"]:
        routes = associated[subnet["SubnetId"]]["Routes"]
        assert not any(r.get("GatewayId", "").startswith("igw-") for r in routes)
    for subnet in by_tier["public"]:
        routes = associated[subnet["SubnetId"]]["Routes"]
        assert any(r.get("GatewayId", "").startswith("igw-") and r["DestinationCidrBlock"] == "0.0.0.0/0" for r in routes)
    igws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"]
    assert len(igws) == 1


def test_alb_listeners_and_certificate(aws):
    elbv2 = aws.client("elbv2")
    alb = elbv2.describe_load_balancers(Names=["main"])["LoadBalancers"][0]
    assert alb["Scheme"] == "internet-facing" and alb["Type"] == "application"
    assert alb["SecurityGroups"], "the ALB has its own security group"
    ec2 = aws.client("ec2")
    public = ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["public"]}])["Subnets"]
    assert {az["SubnetId"] for az in alb["AvailabilityZones"]} == {s["SubnetId"] for s in public}

    listeners = {l["Port"]: l for l in elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]}
    assert set(listeners) == {443, 8443}
    prod = listeners[443]
    assert prod["Protocol"] == "HTTPS"
    assert prod["DefaultActions"][0]["Type"] == "fixed-response"
    assert prod["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "404"
    cert_arn = prod["Certificates"][0]["CertificateArn"]
    cert = aws.client("acm").describe_certificate(CertificateArn=cert_arn)["Certificate"]
    assert cert["DomainName"] == "*.example.com"
    assert cert["Status"] == "ISSUED"


def test_ecr_images_with_distinct_digests(aws):
    ecr = aws.client("ecr")
    for repository in ("checkout-api", "worker"):
        images = ecr.describe_images(repositoryName=repository)["imageDetails"]
        tags = {tag for image in images for tag in image.get("imageTags", [])}
        assert tags == {"v1", "v2", "v3", "broken"}
        assert len({image["imageDigest"] for image in images}) == 4


def test_secrets_parameters_topics(aws):
    secrets = aws.client("secretsmanager")
    db = secrets.describe_secret(SecretId="shop/checkout/db")
    assert json.loads(secrets.get_secret_value(SecretId=db["ARN"])["SecretString"])["username"] == "checkout"
    stripe = secrets.describe_secret(SecretId="arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf")
    assert stripe["ARN"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf"
    parameter = aws.client("ssm").get_parameter(Name="/shop/checkout/feature-token", WithDecryption=True)["Parameter"]
    assert parameter["Type"] == "SecureString" and parameter["Value"] == seed.FEATURE_TOKEN_VALUE
    topics = {t["TopicArn"] for t in aws.client("sns").list_topics()["Topics"]}
    assert {"arn:aws:sns:us-east-1:123456789012:oncall", "arn:aws:sns:us-east-1:123456789012:staging"} <= topics
    assert aws.client("sts").get_caller_identity()["Account"] == "123456789012"


def test_reset_returns_to_the_seeded_state_with_the_same_ids(aws):
    ec2 = aws.client("ec2")
    before = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    aws.client("sns").create_topic(Name="scratch")
    aws.client("ecs").create_cluster(clusterName="shop")
    aws.reset()
    assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"] == before
    assert "scratch" not in str(aws.client("sns").list_topics()["Topics"])
    assert aws.client("ecs").list_clusters()["clusterArns"] == []


def test_an_api_moto_lacks_fails_fast_and_says_so(aws):
    import time

    import pytest
    from botocore.exceptions import ClientError

    started = time.monotonic()
    with pytest.raises(ClientError) as error:
        # an ECS API botocore knows and moto does not implement
        aws.client("ecs").describe_daemon_deployments(daemonDeploymentArns=["arn:aws:ecs:us-east-1:123456789012:daemon-deployment/x"])
    assert "does not implement" in str(error.value)
    assert time.monotonic() - started < 5, "no retries"
