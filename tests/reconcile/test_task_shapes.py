"""Issue #17 on the local AWS: task shapes applied and read back with boto3."""
from __future__ import annotations

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
