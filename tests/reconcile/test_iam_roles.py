"""IAM roles on a real account: confused-deputy conditions and account-wide names (issue #12 items 12, 20)."""
from __future__ import annotations

ACCOUNT = "123456789012"


def _condition(aws, name: str) -> dict:
    statement = aws.client("iam").get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]["Statement"]
    assert len(statement) == 1
    return statement[0]["Condition"]


def test_trust_policies_carry_source_account_and_arn(run_cli, example, aws):
    """IAM User Guide, "The confused deputy problem": a service principal may act for any account
    unless the trust policy says aws:SourceAccount (and aws:SourceArn where the service sets it).
    ECS "Amazon ECS task IAM role": ArnLike aws:SourceArn arn:aws:ecs:REGION:ACCOUNT:* with
    StringEquals aws:SourceAccount. CodeDeploy "Cross-service confused deputy prevention": the
    aws:SourceArn is the deployment group ARN."""
    result = run_cli("apply", "--no-wait", "-f", example("bluegreen"), "--yes")
    assert result.exit_code == 0, result.output
    task = _condition(aws, "shop-checkout-api-bg-task")
    assert task == {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:*"}}
    assert _condition(aws, "shop-checkout-api-bg-exec") == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    codedeploy = _condition(aws, "shop-checkout-api-bg-codedeploy")
    assert codedeploy["ArnLike"] == {"aws:SourceArn": f"arn:aws:codedeploy:us-east-1:{ACCOUNT}:deploymentgroup:shop-checkout-api-bg/shop-checkout-api-bg"}
    assert codedeploy["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    assert run_cli("plan", "-f", example("bluegreen"), "--detailed-exitcode").exit_code == 0


def _eu_network(aws) -> None:
    import boto3

    ec2 = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1").client(
        "ec2", endpoint_url=aws.endpoint_url)
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "main"}]}])["Vpc"]["VpcId"]
    for index, zone in enumerate(("eu-west-1a", "eu-west-1b")):
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.8.{index}.0/24", AvailabilityZone=zone,
                          TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "tier", "Value": "private"}]}])


def _tags(aws, name: str) -> dict:
    return {t["Key"]: t["Value"] for t in aws.client("iam").get_role(RoleName=name)["Role"]["Tags"]}


def test_same_manifest_in_two_regions_keeps_separate_roles(run_cli, manifest, aws):
    """IAM role names are global to the account ("IAM identifiers", IAM User Guide: names are unique
    within the account, IAM is not regional). The same manifest applied in a second region must not
    rewrite the first region's roles, and destroy there must leave them (issue #12 item 12)."""
    _eu_network(aws)
    common = dict(image="public.ecr.aws/docker/library/busybox:1.36", drop=("capacity",))
    east = manifest("worker", network={"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}}, **common)
    west = manifest("worker", network={"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}}, **common)
    assert run_cli("apply", "--no-wait", "-f", east, "--yes").exit_code == 0
    result = run_cli("--region", "eu-west-1", "apply", "--no-wait", "-f", west, "--yes")
    assert result.exit_code == 0, result.output
    assert _tags(aws, "shop-worker-task")["ecsship:region"] == "us-east-1"
    assert _tags(aws, "shop-worker-task-eu-west-1")["ecsship:region"] == "eu-west-1"
    assert _condition(aws, "shop-worker-task")["ArnLike"]["aws:SourceArn"].startswith("arn:aws:ecs:us-east-1:")
    assert _condition(aws, "shop-worker-task-eu-west-1")["ArnLike"]["aws:SourceArn"].startswith("arn:aws:ecs:eu-west-1:")
    assert run_cli("plan", "-f", east, "--detailed-exitcode").exit_code == 0
    assert run_cli("--region", "eu-west-1", "plan", "-f", west, "--detailed-exitcode").exit_code == 0
    destroyed = run_cli("--region", "eu-west-1", "destroy", "-f", west, "--yes")
    assert destroyed.exit_code == 0, destroyed.output
    names = {r["RoleName"] for r in aws.client("iam").list_roles()["Roles"]}
    assert {"shop-worker-task", "shop-worker-exec"} <= names
    assert not {"shop-worker-task-eu-west-1", "shop-worker-exec-eu-west-1"} & names


def test_a_role_from_before_region_tags_is_claimed_by_the_first_region(run_cli, manifest, aws):
    """Existing roles keep working: the first apply tags them with its region; another region then
    gets its own roles instead of sharing (and overwriting) them."""
    _eu_network(aws)
    east = manifest("worker", image="public.ecr.aws/docker/library/busybox:1.36", drop=("capacity",))
    assert run_cli("apply", "--no-wait", "-f", east, "--yes").exit_code == 0
    aws.client("iam").untag_role(RoleName="shop-worker-task", TagKeys=["ecsship:region"])  # as an older ecsship left it
    assert run_cli("plan", "-f", east, "--detailed-exitcode").exit_code == 2
    assert run_cli("apply", "--no-wait", "-f", east, "--yes").exit_code == 0
    assert _tags(aws, "shop-worker-task")["ecsship:region"] == "us-east-1"
