"""A DAEMON service on the local AWS runs one task on each container instance: here the instances of its
own `ec2` capacity, which register with the cluster their user data names, as the ECS agent does
(botocore ecs CreateService.schedulingStrategy DAEMON; ECS guide "Bootstrapping container instances")."""
from __future__ import annotations

from tests.unit.desired.test_daemon_and_gpu import BASE

CAPACITY = """capacity:
  - ec2: {instance_types: [g5.xlarge], min: 2, max: 2}
"""


def test_a_daemon_service_runs_one_task_on_each_instance_of_its_group(run_cli, aws, tmp_path):
    manifest = tmp_path / "ecsship.yaml"
    manifest.write_text(BASE + "platform: ec2\nscheduling: daemon\ngpu: 1\n" + CAPACITY)
    assert run_cli("apply", "-f", str(manifest), "--yes", "--no-wait").exit_code == 0
    ecs = aws.client("ecs")
    for _ in range(4):
        aws.advance(15)
    instances = ecs.list_container_instances(cluster="shop")["containerInstanceArns"]
    assert len(instances) == 2  # the group's two instances joined the cluster
    service = ecs.describe_services(cluster="shop", services=["node-agent"])["services"][0]
    assert service["schedulingStrategy"] == "DAEMON" and service["desiredCount"] == 2 and service["launchType"] == "EC2"
    tasks = ecs.describe_tasks(cluster="shop", tasks=ecs.list_tasks(cluster="shop", serviceName="node-agent")["taskArns"])["tasks"]
    assert sorted(t["containerInstanceArn"] for t in tasks if t["lastStatus"] == "RUNNING") == sorted(instances)
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert definition["containerDefinitions"][0]["resourceRequirements"] == [{"type": "GPU", "value": "1"}]
    assert run_cli("plan", "-f", str(manifest), "--detailed-exitcode").exit_code == 0
    assert run_cli("destroy", "-f", str(manifest), "--yes").exit_code == 0
    assert ecs.list_container_instances(cluster="shop")["containerInstanceArns"] == []  # terminated, deregistered
