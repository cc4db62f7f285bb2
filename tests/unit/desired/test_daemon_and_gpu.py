"""scheduling: daemon and gpu (botocore ecs CreateService.schedulingStrategy: DAEMON "deploys exactly one
task on each active container instance ... you don't need to specify a desired number of tasks ... or
use Service Auto Scaling policies. Tasks using the Fargate launch type or the CODE_DEPLOY or EXTERNAL
deployment controller types don't support the DAEMON scheduling strategy"; ecs ResourceRequirement GPU)."""
from __future__ import annotations

import pytest

from ecsship.desired import build
from ecsship.errors import ManifestError
from ecsship.manifest import load_manifest

BASE = """service: node-agent
cluster: shop
image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:v1
cpu: 256
memory: 512
network:
  vpc: {tags: {Name: main}}
  subnets: {tags: {tier: private}}
"""


def load(tmp_path, extra: str):
    path = tmp_path / "ecsship.yaml"
    path.write_text(BASE + extra)
    return load_manifest(str(path))


def errors(tmp_path, extra: str) -> dict:
    with pytest.raises(ManifestError) as caught:
        load(tmp_path, extra)
    return {p.field: p.message for p in caught.value.problems if p.severity == "error"}


def test_a_daemon_runs_one_task_per_instance_on_ec2_with_a_gpu(tmp_path):
    desired = build(load(tmp_path, "platform: ec2\nscheduling: daemon\ngpu: 2\nload_balancer: {alb: main, host: a.example.com}\nport: 8080\n"))
    spec = desired.get("service").spec
    assert spec["schedulingStrategy"] == "DAEMON" and "desiredCount" not in spec
    assert spec["launchType"] == "EC2" and "capacityProviderStrategy" not in spec
    assert spec["deploymentConfiguration"]["maximumPercent"] == 100
    assert spec["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    assert spec["loadBalancers"]  # a load balancer is still allowed
    [container] = desired.get("task_definition").spec["containerDefinitions"]
    assert container["resourceRequirements"] == [{"type": "GPU", "value": "2"}]
    assert desired.get("autoscaling") is None


def test_replica_is_the_default_and_sends_no_scheduling_strategy(tmp_path):
    spec = build(load(tmp_path, "")).get("service").spec
    assert "schedulingStrategy" not in spec and spec["desiredCount"] == 1


def test_daemon_and_gpu_are_refused_where_aws_refuses_them(tmp_path):
    found = errors(tmp_path, "scheduling: daemon\ngpu: 1\nscaling: {min: 1, max: 3}\ndeploy: {strategy: blue_green, max_percent: 200}\n"
                             "load_balancer: {alb: main, host: a.example.com}\nport: 8080\n")
    assert found["scheduling"].startswith("daemon services run one task per EC2 container instance")
    assert found["gpu"] == "Fargate has no GPUs"
    assert found["scaling"].startswith("scaling cannot be combined with scheduling: daemon")
    assert found["deploy.strategy"] == "daemon services deploy rolling only (got blue_green)"
    assert "no room for a second" in found["deploy.max_percent"]
    assert errors(tmp_path, "platform: ec2\nscheduling: daemon\ncount: 3\n")["count"].startswith("count cannot be combined")
