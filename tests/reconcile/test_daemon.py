"""A DAEMON service on the local AWS runs one task per registered container instance (botocore ecs
CreateService.schedulingStrategy DAEMON; RegisterContainerInstance is what the ECS agent calls)."""
from __future__ import annotations

import json

from tests.unit.desired.test_daemon_and_gpu import BASE


def register_instances(aws, count: int) -> list[str]:
    ec2, ecs = aws.client("ec2"), aws.client("ecs")
    arns = []
    for _ in range(count):
        instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0]
        document = json.dumps({"instanceId": instance["InstanceId"], "region": "us-east-1", "accountId": "123456789012"})
        arns.append(ecs.register_container_instance(cluster="shop", instanceIdentityDocument=document)["containerInstance"]["containerInstanceArn"])
    return arns


def test_a_daemon_service_runs_one_task_on_each_container_instance(run_cli, aws, tmp_path):
    manifest = tmp_path / "ecsship.yaml"
    manifest.write_text(BASE + "platform: ec2\nscheduling: daemon\ngpu: 1\n")
    assert run_cli("apply", "-f", str(manifest), "--yes", "--no-wait").exit_code == 0
    instances = register_instances(aws, 2)
    ecs = aws.client("ecs")
    for _ in range(4):
        aws.advance(15)
    service = ecs.describe_services(cluster="shop", services=["node-agent"])["services"][0]
    assert service["schedulingStrategy"] == "DAEMON" and service["desiredCount"] == 2
    tasks = ecs.describe_tasks(cluster="shop", tasks=ecs.list_tasks(cluster="shop", serviceName="node-agent")["taskArns"])["tasks"]
    assert sorted(t["containerInstanceArn"] for t in tasks if t["lastStatus"] == "RUNNING") == sorted(instances)
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert definition["containerDefinitions"][0]["resourceRequirements"] == [{"type": "GPU", "value": "1"}]
    assert run_cli("plan", "-f", str(manifest), "--detailed-exitcode").exit_code == 0
    assert run_cli("destroy", "-f", str(manifest), "--yes").exit_code == 0
