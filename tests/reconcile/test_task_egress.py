"""`network.egress` (issue #22, low item "Task egress"): restricted outbound rules are not reverted to
all-open by the next apply. EC2 security groups start with one egress rule allowing all traffic to
0.0.0.0/0 (EC2 docs, "Security group rules": "a security group includes an outbound rule that allows
all outbound traffic" by default)."""
from __future__ import annotations

import yaml

from tests.reconcile.conftest import EXAMPLES

OPEN = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
HTTPS = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}


def _worker(tmp_path, egress) -> str:
    data = yaml.safe_load((EXAMPLES / "worker" / "ecsship.yaml").read_text())
    data["network"]["egress"] = egress
    path = tmp_path / "ecsship.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def _egress(aws) -> list[str]:
    group = aws.client("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": ["shop-worker-tasks"]}])["SecurityGroups"][0]
    return sorted(f"{p['IpProtocol']}:{p.get('FromPort')} {r['CidrIp']}" for p in group["IpPermissionsEgress"] for r in p.get("IpRanges", []))


def test_keep_leaves_restricted_egress_alone(run_cli, aws, tmp_path):
    path = _worker(tmp_path, "keep")
    assert run_cli("apply", "--no-wait", "-f", path, "--yes").exit_code == 0
    assert _egress(aws) == ["-1:None 0.0.0.0/0"], "created open, as AWS does"
    ec2 = aws.client("ec2")
    group_id = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["shop-worker-tasks"]}])["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[HTTPS])
    ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=[OPEN])
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0, "restricted egress is not drift"
    assert run_cli("apply", "--no-wait", "-f", path, "--yes").exit_code == 0
    assert _egress(aws) == ["tcp:443 0.0.0.0/0"]


def test_listed_egress_rules_are_enforced(run_cli, aws, tmp_path):
    path = _worker(tmp_path, [{"port": 443, "to": ["0.0.0.0/0"]}])
    result = run_cli("apply", "--no-wait", "-f", path, "--yes")
    assert result.exit_code == 0, result.output
    assert _egress(aws) == ["tcp:443 0.0.0.0/0"]
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 0


def test_a_foreign_group_named_like_the_endpoints_group_is_not_used(run_cli, aws):
    """Issue #22: the shared VPC-endpoint group was found by name alone, so ecsship opened 443 on a group
    someone else named ecsship-vpc-endpoints. Now it must carry ecsship's ownership tag."""
    from tests.reconcile.conftest import EXAMPLES

    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    theirs = ec2.create_security_group(GroupName="ecsship-vpc-endpoints", Description="someone else's", VpcId=vpc)["GroupId"]
    result = run_cli("apply", "--no-wait", "-f", str(EXAMPLES / "worker" / "ecsship.yaml"), "--yes")
    assert result.exit_code == 1 and "not created by ecsship" in result.stderr, result.output
    group = ec2.describe_security_groups(GroupIds=[theirs])["SecurityGroups"][0]
    assert group["IpPermissions"] == [], "nothing was opened on their group"


def test_endpoint_policy_account_limits_new_endpoints_to_the_account(run_cli, aws, tmp_path):
    """`network.endpoint_policy: account` (issue #22): endpoints ecsship creates carry a policy with
    aws:PrincipalAccount = this account (CreateVpcEndpoint PolicyDocument, botocore ec2 model). A policy
    changed by hand on one of them is drift: DescribeVpcEndpoints returns it (VpcEndpoint.PolicyDocument),
    plan shows it, apply puts the account-only one back with ModifyVpcEndpoint(PolicyDocument=...)
    ("(Interface and gateway endpoints) A policy to attach to the endpoint"). A reused endpoint ecsship did
    not make keeps its owner's policy."""
    import json

    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    tables = [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]]
    theirs = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway",
                                     RouteTableIds=tables)["VpcEndpoint"]["VpcEndpointId"]  # someone else's, open policy
    data = yaml.safe_load((EXAMPLES / "worker" / "ecsship.yaml").read_text())
    data["network"]["endpoint_policy"] = "account"
    path = tmp_path / "ecsship.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = run_cli("apply", "--no-wait", "-f", str(path), "--yes")
    assert result.exit_code == 0, result.output
    endpoints = [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["VpcEndpointId"] != theirs]
    assert endpoints
    for endpoint in endpoints:
        statement = json.loads(endpoint["PolicyDocument"])["Statement"][0]
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}

    opened = endpoints[0]["VpcEndpointId"]
    everyone = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
    ec2.modify_vpc_endpoint(VpcEndpointId=opened, PolicyDocument=everyone)
    plan = json.loads(run_cli("plan", "-f", str(path), "--output", "json").stdout)
    change = next(c for c in plan["changes"] if c["kind"] == "vpc_endpoints")
    assert change["action"] == "update" and [f["field"].rsplit(".", 1)[-1] for f in change["fields"]] == ["policy"]
    assert run_cli("apply", "--no-wait", "-f", str(path), "--yes").exit_code == 0
    fixed = ec2.describe_vpc_endpoints(VpcEndpointIds=[opened, theirs])["VpcEndpoints"]
    policies = {e["VpcEndpointId"]: json.loads(e["PolicyDocument"])["Statement"][0] for e in fixed}
    assert policies[opened]["Condition"] == {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}
    assert "Condition" not in policies[theirs], "a reused endpoint's policy is its owner's"
    assert run_cli("plan", "-f", str(path), "--detailed-exitcode").exit_code == 0
