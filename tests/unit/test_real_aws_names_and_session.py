"""Issue #12 items 4, 5 and 22: names ECS accepts, the caller's account, and AWS_REGION (no local AWS)."""
from __future__ import annotations

import re

from botocore.stub import Stubber

from ecsship.aws.session import Aws
from ecsship.desired import names

# botocore ecs PortMapping.name: "up to 64 characters ... lowercase letters, numbers, underscores (_),
# and hyphens (-). The name can't start with a hyphen."
PORT_MAPPING_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")


def test_port_mapping_names_use_only_what_ecs_accepts():
    assert names.port_mapping_name("CheckoutApi", 8080) == "checkoutapi-8080"
    assert names.port_mapping_name("checkout-api", 8080) == "checkout-api-8080"  # unchanged for valid names
    for service in ("CheckoutApi", "_x", "A" * 255, "Web_Front-End"):
        name = names.port_mapping_name(service, 443)
        assert PORT_MAPPING_NAME.match(name), name
    assert names.port_mapping_name("A" * 255, 443) != names.port_mapping_name("A" * 254 + "B", 443)


def test_aws_region_is_honoured(monkeypatch):
    """botocore's configprovider maps `region` to AWS_DEFAULT_REGION only; AWS_REGION (documented by
    ecsship, read by the AWS CLI v2 and the other SDKs) must work too, and wins over AWS_DEFAULT_REGION."""
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert Aws(endpoint_url="http://127.0.0.1:9").region == "eu-west-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert Aws(endpoint_url="http://127.0.0.1:9").region == "eu-west-1"
    assert Aws(region="ap-southeast-2", endpoint_url="http://127.0.0.1:9").region == "ap-southeast-2"  # manifest/--region first
    monkeypatch.delenv("AWS_REGION")
    assert Aws(endpoint_url="http://127.0.0.1:9").region == "us-east-1"


def test_account_id_comes_from_sts_not_the_vpc_owner():
    """A VPC shared through AWS RAM reports the owner account in DescribeVpcs' OwnerId (EC2 API
    reference, Vpc.OwnerId: "The ID of the Amazon Web Services account that owns the VPC"); what
    ecsship creates lives in the caller's account, which STS GetCallerIdentity names."""
    from ecsship.reconcilers.existing_resources import NetworkLookup

    aws = Aws(region="us-east-1", endpoint_url="http://127.0.0.1:9", local=True)
    ec2, sts = aws.client("ec2"), aws.client("sts")
    with Stubber(ec2) as ec2_stub, Stubber(sts) as sts_stub:
        ec2_stub.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-1", "OwnerId": "111111111111", "CidrBlock": "10.0.0.0/16"}]})
        ec2_stub.add_response("describe_subnets", {"Subnets": [
            {"SubnetId": "subnet-a", "VpcId": "vpc-1", "AvailabilityZone": "us-east-1a"},
            {"SubnetId": "subnet-b", "VpcId": "vpc-1", "AvailabilityZone": "us-east-1b"}]})
        sts_stub.add_response("get_caller_identity", {"Account": "222222222222", "Arn": "arn:aws:iam::222222222222:root", "UserId": "x"})
        live = NetworkLookup().read(aws, None, {"vpc": "vpc-1", "subnets": ["subnet-a", "subnet-b"]})
    assert live.outputs["account_id"] == "222222222222"


def test_arns_use_the_partition_of_their_region():
    """ARNs are `arn:<partition>:...`; botocore's endpoint data tells the partition of a region
    (aws-cn for cn-north-1, aws-us-gov for us-gov-west-1). The pure helper must agree with botocore."""
    import botocore.session

    from ecsship.desired import policies
    from ecsship.desired.image_and_secret_refs import parse_image, partition_for_region

    session = botocore.session.get_session()
    for region in ("us-east-1", "eu-central-1", "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-iso-east-1"):
        assert partition_for_region(region) == session.get_partition_for_region(region), region
    image = parse_image("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api:v1")
    pull = next(s for s in policies.execution_policy(image, set())["Statement"] if s["Sid"] == "PullImage")
    assert pull["Resource"] == ["arn:aws-cn:ecr:cn-north-1:123456789012:repository/api"]
    assert Aws(region="cn-north-1", endpoint_url="http://127.0.0.1:9").partition == "aws-cn"
