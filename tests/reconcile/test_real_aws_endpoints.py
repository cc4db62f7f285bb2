"""Issue #12 item 3: VPC endpoints as EC2 creates them (private DNS rules, endpoint types)."""
from __future__ import annotations


def _main_vpc(ec2) -> str:
    return ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]


def test_private_dns_needs_the_vpc_dns_attributes_at_plan_time(run_cli, example, aws):
    """AWS PrivateLink guide, "Enable private DNS": both DNS hostnames and DNS resolution must be on in
    the VPC; CreateVpcEndpoint refuses private DNS otherwise (the local AWS does too)."""
    ec2 = aws.client("ec2")
    vpc = _main_vpc(ec2)
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": False})
    plan = run_cli("plan", "-f", example("worker"))
    assert plan.exit_code == 1
    assert f"VPC {vpc} has enableDnsHostnames off" in plan.stderr and "--enable-dns-hostnames" in plan.stderr
    assert "endpoints: []" in plan.stderr and "Traceback" not in plan.stderr
    import pytest  # the local AWS refuses as EC2 does:
    from botocore.exceptions import ClientError

    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    with pytest.raises(ClientError) as info:
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.logs", VpcEndpointType="Interface",
                                SubnetIds=[subnet], PrivateDnsEnabled=True)
    assert info.value.response["Error"]["Code"] == "InvalidParameter"


def test_a_conflicting_private_dns_domain_is_a_clear_error(run_cli, example, aws):
    """EC2 refuses private DNS for a service whose name the VPC already resolves privately: "private-dns-
    enabled cannot be set because there is already a conflicting DNS domain for logs.us-east-1.amazonaws.com
    in the VPC ..." (another private-DNS endpoint, or a Route 53 private hosted zone of that name associated
    with the VPC; the local AWS models both). ecsship says what to do instead of a raw EC2 error."""
    import pytest
    from botocore.exceptions import ClientError

    ec2 = aws.client("ec2")
    vpc = _main_vpc(ec2)
    aws.client("route53").create_hosted_zone(Name="logs.us-east-1.amazonaws.com", CallerReference="by-hand",
                                             VPC={"VPCRegion": "us-east-1", "VPCId": vpc}, HostedZoneConfig={"PrivateZone": True})
    applied = run_cli("apply", "--no-wait", "-f", example("worker"), "--yes")
    assert applied.exit_code != 0
    assert f"VPC {vpc} already resolves logs's AWS name privately" in applied.stderr
    assert "endpoints: []" in applied.stderr and "Traceback" not in applied.stderr

    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sqs", VpcEndpointType="Interface",
                            SubnetIds=[subnet], PrivateDnsEnabled=True)
    with pytest.raises(ClientError) as info:  # a second private-DNS endpoint of one service: refused too
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sqs", VpcEndpointType="Interface",
                                SubnetIds=[subnet], PrivateDnsEnabled=True)
    assert "conflicting DNS domain for sqs.us-east-1.amazonaws.com" in info.value.response["Error"]["Message"]


def test_the_s3_lookup_selects_the_gateway_endpoint(run_cli, example, aws):
    """S3 offers Gateway and Interface endpoints under one service name (botocore ec2
    VpcEndpoint.VpcEndpointType); the tasks' route tables use the Gateway one. An Interface S3
    endpoint someone else made must not be taken for it."""
    ec2 = aws.client("ec2")
    vpc = _main_vpc(ec2)
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Interface",
                            SubnetIds=[subnet], PrivateDnsEnabled=False)
    applied = run_cli("apply", "--no-wait", "-f", example("worker"), "--yes")
    assert applied.exit_code == 0, applied.stderr
    s3 = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                             {"Name": "service-name", "Values": ["com.amazonaws.us-east-1.s3"]}])["VpcEndpoints"]
    gateways = [e for e in s3 if e["VpcEndpointType"] == "Gateway"]
    assert len(gateways) == 1 and gateways[0]["RouteTableIds"]
