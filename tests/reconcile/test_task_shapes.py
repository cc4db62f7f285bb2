"""Issue #17 on the local AWS: task shapes applied and read back with boto3."""
from __future__ import annotations

from pathlib import Path

import botocore.exceptions
import pytest
import yaml

BASE = {
    "service": "api", "cluster": "shop", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout-api:v1",
    "port": 8080, "count": 2,
    "network": {"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}},
    "load_balancer": {"alb": "main", "host": "api.example.com", "priority": 120},
}


def write(tmp_path, **changes) -> str:
    path = tmp_path / "ecsship.yaml"
    path.write_text(yaml.safe_dump({**BASE, **changes}))
    return str(path)


def test_rename_main_container_and_change_count_on_a_running_service(run_cli, aws, tmp_path):
    """A renamed main container is a new task definition revision and the service's load balancer
    moved to it in the same UpdateService (in place on the ECS controller: botocore ecs
    UpdateService loadBalancers "you can add, update, or remove Elastic Load Balancing target
    groups"); the local AWS refuses a load balancer container the task definition does not have, as
    AWS does ("The container ... does not exist in the task definition")."""
    ecs = aws.client("ecs")
    assert run_cli("apply", "--no-wait", "--yes", "-f", write(tmp_path)).exit_code == 0
    svc = ecs.describe_services(cluster="shop", services=["api"])["services"][0]
    assert svc["desiredCount"] == 2 and svc["loadBalancers"][0]["containerName"] == "api"

    path = write(tmp_path, container_name="app", count=3)
    plan = run_cli("plan", "-f", path)
    assert plan.exit_code == 0, plan.output
    assert "containerDefinitions.api: removed" in plan.stdout and "containerDefinitions.app: added" in plan.stdout
    assert "~ ECS service api  [update]" in plan.stdout and "desiredCount: 2 -> 3" in plan.stdout
    assert run_cli("apply", "--no-wait", "--yes", "-f", path).exit_code == 0

    svc = ecs.describe_services(cluster="shop", services=["api"])["services"][0]
    assert svc["desiredCount"] == 3 and svc["loadBalancers"][0]["containerName"] == "app"
    definition = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
    assert [c["name"] for c in definition["containerDefinitions"]] == ["app"]
    assert "No changes" in run_cli("plan", "-f", path).stdout

    with pytest.raises(botocore.exceptions.ClientError, match="The container api does not exist in the task definition"):
        ecs.update_service(cluster="shop", service="api", loadBalancers=[{**svc["loadBalancers"][0], "containerName": "api"}])


SIDECARS = Path(__file__).resolve().parents[2] / "examples" / "sidecars" / "ecsship.yaml"


def efs_with_mount_target(aws) -> tuple[str, str, str]:
    """A file system, its access point and a mount target whose group is not ecsship's."""
    efs, ec2 = aws.client("efs"), aws.client("ec2")
    fs = efs.create_file_system(CreationToken="shapes")["FileSystemId"]
    ap = efs.create_access_point(FileSystemId=fs)["AccessPointId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["private"]}])["Subnets"][0]
    mount_sg = ec2.create_security_group(GroupName="efs-mounts", Description="efs", VpcId=subnet["VpcId"])["GroupId"]
    efs.create_mount_target(FileSystemId=fs, SubnetId=subnet["SubnetId"], SecurityGroups=[mount_sg])
    return fs, ap, mount_sg


def test_sidecars_example_with_efs_validates_plans_applies_deploys_and_rolls_back(run_cli, aws, tmp_path, secret_values):
    """The issue #17 journey: examples/sidecars plus two EFS volumes (every field of the contract).
    The task definition read back with boto3 has every container, command, dependency, the FireLens
    router and driver, the EFS volumes (transit encryption, IAM through the access point: botocore ecs
    EFSAuthorizationConfig.iam "If it is turned on, transit encryption must be turned on") and mount
    points, ephemeral storage; the service the fixed count; the task role may mount that file system
    through that access point only (condition elasticfilesystem:AccessPointArn); the plan says what to
    open on mount-target groups ecsship does not own, until they let the tasks in; a second apply is a
    no-op; `deploy --image envoy=URI` moves only the sidecar, and a broken essential sidecar fails the
    rollout, which rolls back (simulator/container_start.py); a missing access point is a plan error."""
    fs, ap, mount_sg = efs_with_mount_target(aws)
    volumes = [{"name": "data", "efs": {"file_system": fs, "access_point": ap}, "mount": "/var/data"},
               {"name": "assets", "efs": {"file_system": fs, "access_point": ap}, "mounts": {"envoy": "/srv/assets"}, "read_only": True}]
    data = yaml.safe_load(SIDECARS.read_text())
    path = tmp_path / "ecsship.yaml"
    path.write_text(yaml.safe_dump({**data, "volumes": volumes}, sort_keys=False))

    assert run_cli("validate", "-f", str(SIDECARS)).exit_code == 0
    plan = run_cli("plan", "-f", path)
    assert plan.exit_code == 0 and "+ task definition shop-storefront" in plan.stdout, plan.output
    applied = run_cli("apply", "-f", path, "--yes")
    assert applied.exit_code == 0, applied.output
    assert f"{fs} mount targets ({mount_sg}) keep the tasks out: open TCP 2049 from shop-storefront-tasks" in applied.output

    ecs = aws.client("ecs")
    svc = ecs.describe_services(cluster="shop", services=["storefront"])["services"][0]
    assert svc["desiredCount"] == 2 and svc["loadBalancers"][0]["containerName"] == "app"
    td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
    containers = {c["name"]: c for c in td["containerDefinitions"]}
    assert list(containers) == ["app", "envoy", "init-assets", "log_router", "aws-otel-collector"]
    app, envoy, init, router = containers["app"], containers["envoy"], containers["init-assets"], containers["log_router"]
    assert app["command"] == ["bin/server", "--port", "8080"] and app["entryPoint"] == ["/docker-entrypoint.sh"]
    assert {d["containerName"]: d["condition"] for d in app["dependsOn"]} == {"init-assets": "SUCCESS", "log_router": "START"}
    assert envoy["dependsOn"] == [{"containerName": "app", "condition": "HEALTHY"}]
    assert (envoy["cpu"], envoy["memoryReservation"], envoy["portMappings"][0]["containerPort"]) == (128, 256, 9901)
    assert init["essential"] is False and init["command"] == ["bin/sync-assets"]
    assert router["firelensConfiguration"] == {"type": "fluentbit"} and router["logConfiguration"]["logDriver"] == "awslogs"
    for essential in (app, envoy):
        log = essential["logConfiguration"]
        assert log["logDriver"] == "awsfirelens" and log["options"]["Name"] == "datadog"
        assert log["secretOptions"][0]["name"] == "apikey" and ":secret:shop/datadog/api-key" in log["secretOptions"][0]["valueFrom"]
    assert init["logConfiguration"]["logDriver"] == "awslogs"
    assert td["ephemeralStorage"] == {"sizeInGiB": 50}
    efs_config = {v["name"]: v["efsVolumeConfiguration"] for v in td["volumes"]}["data"]
    assert efs_config.pop("rootDirectory", "/") == "/"  # the access point's path is enforced (EFSVolumeConfiguration.rootDirectory)
    assert efs_config == {"fileSystemId": fs, "transitEncryption": "ENABLED", "authorizationConfig": {"accessPointId": ap, "iam": "ENABLED"}}
    assert [(m["sourceVolume"], m["containerPath"], m["readOnly"]) for m in app["mountPoints"]] == [("data", "/var/data", False)]
    assert [(m["sourceVolume"], m["containerPath"], m["readOnly"]) for m in envoy["mountPoints"]] == [("assets", "/srv/assets", True)]

    iam = aws.client("iam")
    execution = iam.get_role_policy(RoleName="shop-storefront-exec", PolicyName="ecsship")["PolicyDocument"]
    pull = next(s for s in execution["Statement"] if s["Sid"] == "PullImage")["Resource"]
    assert sorted(pull) == ["arn:aws:ecr:us-east-1:123456789012:repository/checkout-api", "arn:aws:ecr:us-east-1:123456789012:repository/envoy"]
    task_policy = {s["Sid"]: s for s in iam.get_role_policy(RoleName="shop-storefront-task", PolicyName="ecsship")["PolicyDocument"]["Statement"]}
    as_list = lambda value: sorted(value if isinstance(value, list) else [value])  # noqa: E731
    assert as_list(task_policy["EfsMount1"]["Action"]) == ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    assert as_list(task_policy["EfsMount2"]["Action"]) == ["elasticfilesystem:ClientMount"]  # read only
    assert as_list(task_policy["EfsMount1"]["Resource"]) == [f"arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/{fs}"]
    assert task_policy["EfsMount1"]["Condition"] == {"StringEquals": {
        "elasticfilesystem:AccessPointArn": f"arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/{ap}"}}
    assert "xray:PutTraceSegments" in as_list(task_policy["XRayWrite"]["Action"]) and "OtelMetrics" in task_policy
    streams = {s["logStreamName"].split("/")[1] for s in aws.client("logs").describe_log_streams(logGroupName="/ecs/shop/storefront")["logStreams"]}
    assert {"log_router", "init-assets", "aws-otel-collector"} <= streams  # awslogs containers, one stream each

    tasks_sg = svc["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"][0]
    aws.client("ec2").authorize_security_group_ingress(GroupId=mount_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "UserIdGroupPairs": [{"GroupId": tasks_sg}]}])
    again = run_cli("apply", "-f", path, "--yes")
    assert again.exit_code == 0 and "No changes" in again.stdout and "keep the tasks out" not in again.output, again.output

    moved = run_cli("deploy", "-f", path, "--image", "envoy=123456789012.dkr.ecr.us-east-1.amazonaws.com/envoy:v1.32.0")
    assert moved.exit_code == 0, moved.output
    serving = ecs.describe_services(cluster="shop", services=["storefront"])["services"][0]["taskDefinition"]
    images = {c["name"]: c["image"] for c in ecs.describe_task_definition(taskDefinition=serving)["taskDefinition"]["containerDefinitions"]}
    assert images["envoy"].endswith("envoy:v1.32.0") and images["app"].endswith("checkout-api:v1")

    bad = run_cli("deploy", "-f", path, "--image", "envoy=123456789012.dkr.ecr.us-east-1.amazonaws.com/envoy:broken")
    assert bad.exit_code == 1 and "rolled back" in bad.stdout, bad.output
    assert ecs.describe_services(cluster="shop", services=["storefront"])["services"][0]["taskDefinition"] == serving
    assert not any(value in out for value in secret_values for out in (plan.output, applied.output, bad.output))

    path.write_text(yaml.safe_dump({**data, "volumes": [{**volumes[0], "efs": {"file_system": fs, "access_point": "fsap-0123456789abcdef0"}}]}))
    missing = run_cli("plan", "-f", path)
    assert missing.exit_code == 1 and "volumes.data: EFS access point fsap-0123456789abcdef0 not found" in missing.output
