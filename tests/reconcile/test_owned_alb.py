"""load_balancer.create: ecsship owns the ALB, its security group and listeners."""
from __future__ import annotations


def test_owned_alb_with_https_and_redirect(run_cli, manifest, aws, aws_calls):
    certificate = aws.client("acm").list_certificates()["CertificateSummaryList"][0]["CertificateArn"]
    path = manifest("worker", service="shopfront", port=8080, drop=("scaling", "capacity"),
                    load_balancer={"create": {"subnets": {"tags": {"tier": "public"}}, "certificate": certificate},
                                   "host": "shop.example.com", "priority": 10})
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    elb, ec2 = aws.client("elbv2"), aws.client("ec2")
    lb = elb.describe_load_balancers(Names=["shop-shopfront"])["LoadBalancers"][0]
    assert lb["Scheme"] == "internet-facing"
    public = {s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["public"]}])["Subnets"]}
    assert {z["SubnetId"] for z in lb["AvailabilityZones"]} == public
    listeners = {l["Port"]: l for l in elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]}
    assert listeners[443]["Protocol"] == "HTTPS" and listeners[443]["Certificates"][0]["CertificateArn"] == certificate
    assert listeners[443]["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    assert listeners[80]["DefaultActions"][0]["RedirectConfig"]["Protocol"] == "HTTPS"
    tasks = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["shop-shopfront-tasks"]}])["SecurityGroups"][0]
    assert [pair["GroupId"] for p in tasks["IpPermissions"] for pair in p["UserIdGroupPairs"]] == lb["SecurityGroups"]
    aws_calls.clear()
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0
    # The ALB's, the target group's and the rule's tags are the plan's one GetResources answer
    # (reconcilers/tag_index.py: "The response includes all tags that are associated with the requested
    # resources", botocore GetResources), so no elbv2 DescribeTags at all (issue #20 item 2).
    assert [c for c in aws_calls.reads() if c[1] == "DescribeTags"] == []
    assert ("resourcegroupstaggingapi", "GetResources") in aws_calls.reads()
    assert run_cli("destroy", "-f", path, "--yes").exit_code == 0
    assert elb.describe_load_balancers()["LoadBalancers"] and all(l["LoadBalancerName"] != "shop-shopfront" for l in elb.describe_load_balancers()["LoadBalancers"])


def _owned(manifest, aws, **create):
    certificate = aws.client("acm").list_certificates()["CertificateSummaryList"][0]["CertificateArn"]
    return manifest("worker", service="shopfront", port=8080, drop=("scaling", "capacity"),
                    load_balancer={"create": {"subnets": {"tags": {"tier": "public"}}, "certificate": certificate, **create},
                                   "host": "shop.example.com", "priority": 10},
                    deploy={"strategy": "blue_green", "test_listener_port": 8443})


def _ingress(aws) -> dict:
    group = aws.client("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": ["shop-shopfront-alb"]}])["SecurityGroups"][0]
    return {p["FromPort"]: sorted(r["CidrIp"] for r in p["IpRanges"]) for p in group["IpPermissions"]}


def test_test_listener_is_open_to_the_vpc_only_by_default(run_cli, manifest, aws):
    """Issue #22 item 6 / #12 item 20: the test listener serves a version nobody approved yet, so an
    owned ALB's security group admits it from the VPC's CIDR blocks (DescribeVpcs CidrBlockAssociationSet),
    not 0.0.0.0/0; `test_listener_cidrs` overrides it, and an old open rule is revoked by apply."""
    vpc = aws.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]
    path = _owned(manifest, aws)
    assert run_cli("apply", "--no-wait", "-f", path, "--yes").exit_code == 0
    assert _ingress(aws) == {80: ["0.0.0.0/0"], 443: ["0.0.0.0/0"], 8443: [vpc["CidrBlock"]]}
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0
    # A group made by an older ecsship, open to the internet on the test port: apply closes it.
    group = aws.client("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": ["shop-shopfront-alb"]}])["SecurityGroups"][0]
    aws.client("ec2").authorize_security_group_ingress(GroupId=group["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 2
    assert run_cli("apply", "--no-wait", "-f", path, "--yes").exit_code == 0
    assert _ingress(aws)[8443] == [vpc["CidrBlock"]]
    office = _owned(manifest, aws, test_listener_cidrs=["203.0.113.0/24"])
    assert run_cli("apply", "--no-wait", "-f", office, "--yes").exit_code == 0
    assert _ingress(aws)[8443] == ["203.0.113.0/24"]


def test_half_made_owned_alb_is_resumed(run_cli, manifest, aws):
    """Issue #12 item 10: an apply interrupted after CreateSecurityGroup and before CreateLoadBalancer
    leaves our tagged group; EC2 refuses a second group of that name (InvalidGroup.Duplicate), so the
    next apply must find and reuse it instead of failing on every run."""
    path = _owned(manifest, aws)
    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    tags = [{"Key": "ecsship:service", "Value": "shopfront"}, {"Key": "ecsship:cluster", "Value": "shop"}]
    left = ec2.create_security_group(GroupName="shop-shopfront-alb", VpcId=vpc, Description="ecsship: load balancer shop-shopfront",
                                     TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}])["GroupId"]
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    lb = aws.client("elbv2").describe_load_balancers(Names=["shop-shopfront"])["LoadBalancers"][0]
    assert lb["SecurityGroups"] == [left]
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0


def test_someone_elses_group_with_the_alb_group_name_is_not_taken(run_cli, manifest, aws):
    path = _owned(manifest, aws)
    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    ec2.create_security_group(GroupName="shop-shopfront-alb", VpcId=vpc, Description="not ours")
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code != 0 and "not created by ecsship" in result.output
    assert "Traceback" not in result.output
