"""Every call that hands ECS, CodeDeploy or Application Auto Scaling a role made in the same run
retries while IAM propagates it (issue #12 item 6), not only CreateService/CreateDeploymentGroup.

The AWS texts: ECS answers InvalidParameterException "Unable to assume role and validate the
listeners configured on your load balancer" for a fresh advancedConfiguration.roleArn, and
"Unable to assume the service linked role. Please verify that the ECS service linked role exists."
on CreateCluster with capacity providers while its service-linked role propagates; CodeDeploy
answers InvalidRoleException ("AWS CodeDeploy does not have the permissions required to assume the
role"). IAM User Guide, "Troubleshooting IAM": changes are eventually consistent.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from ecsship.deploy.clock import FakeClock
from ecsship.errors import AwsCallError
from ecsship.reconcilers.autoscaling import AutoscalingReconciler
from ecsship.reconcilers.base import Live
from ecsship.reconcilers.cluster import ClusterReconciler
from ecsship.reconcilers.codedeploy import DeploymentGroupReconciler
from ecsship.reconcilers.service import update_service


class FlakyClient:
    """Fails the first `failures` calls of any method with `code`/`message`, then answers `answer`."""

    def __init__(self, code: str, message: str, answer: dict, failures: int = 2):
        self.code, self.message, self.answer, self.failures, self.calls = code, message, answer, failures, []

    def __getattr__(self, operation):
        def call(**kwargs):
            self.calls.append(operation)
            if len(self.calls) <= self.failures:
                raise ClientError({"Error": {"Code": self.code, "Message": self.message}}, operation)
            return self.answer

        return call


def fake_aws(client, clock=None) -> SimpleNamespace:
    # Waits sleep on the run's clock, which the AWS context carries (Aws.clock), never time.sleep.
    return SimpleNamespace(client=lambda name: client, region="us-east-1", partition="aws", account_id="123456789012",
                           clock=clock or FakeClock())


def test_update_service_with_a_new_infrastructure_role():
    client = FlakyClient("InvalidParameterException", "Unable to assume role and validate the listeners configured on your load balancer.",
                         {"service": {"serviceName": "api"}})
    clock = FakeClock()
    update_service(fake_aws(client, clock), "ECS service api", "shop", "api", {"loadBalancers": []})
    assert client.calls == ["update_service"] * 3 and clock.slept == [1.0, 2.0]


def test_create_cluster_with_capacity_providers_waits_for_the_service_linked_role():
    client = FlakyClient("InvalidParameterException", "Unable to assume the service linked role. Please verify that the ECS service linked role exists.",
                         {"cluster": {"clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/shop"}})
    res = SimpleNamespace(name="shop", label="ECS cluster shop", tags={"ecsship:service": "api", "ecsship:cluster": "shop"})
    outputs = ClusterReconciler().create(fake_aws(client), res, {"containerInsights": "disabled", "capacityProviders": ["FARGATE"]})
    assert outputs["name"] == "shop" and client.calls == ["create_cluster"] * 3


def test_put_cluster_capacity_providers_waits_too():
    client = FlakyClient("InvalidParameterException", "Unable to assume the service linked role.", {})
    res = SimpleNamespace(name="shop", label="ECS cluster shop", tags={})
    live = Live(state={}, outputs={"arn": "arn"}, raw={"providers": [], "default_strategy": []})
    ClusterReconciler().update(fake_aws(client), res, {"capacityProviders": ["FARGATE"]}, live, [SimpleNamespace(path="capacityProviders")])
    assert client.calls == ["put_cluster_capacity_providers"] * 3


def test_update_deployment_group_with_a_new_service_role():
    client = FlakyClient("InvalidRoleException", "AWS CodeDeploy does not have the permissions required to assume the role", {})
    res = SimpleNamespace(name="shop-api", label="CodeDeploy deployment group shop-api", tags={})
    live = Live(state={}, outputs={"arn": "arn"})
    DeploymentGroupReconciler().update(fake_aws(client), res, {"deploymentGroupName": "shop-api", "applicationName": "shop-api"}, live, [])
    assert client.calls == ["update_deployment_group"] * 3


def test_register_scalable_target_while_its_service_linked_role_propagates():
    client = FlakyClient("ValidationException", "Unable to assume IAM role: AWSServiceRoleForApplicationAutoScaling_ECSService", {})
    res = SimpleNamespace(name="service/shop/api", label="autoscaling service/shop/api", tags={})
    spec = {"ResourceId": "service/shop/api", "MinCapacity": 1, "MaxCapacity": 2, "policies": {}, "schedules": {}, "policyPrefix": "shop-api"}
    AutoscalingReconciler().create(fake_aws(client), res, spec)
    assert client.calls == ["register_scalable_target"] * 3


def test_other_errors_are_not_retried():
    client = FlakyClient("InvalidParameterException", "subnets must be in the same VPC", {}, failures=1)
    with pytest.raises(AwsCallError):
        update_service(fake_aws(client), "ECS service api", "shop", "api", {"desiredCount": 1})
    assert client.calls == ["update_service"]
