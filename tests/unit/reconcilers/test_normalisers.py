"""Normalisers: the spec and the API's answer reduce to the same shape, so only real drift shows.

Defaults filled in follow the botocore ecs model: PortMapping.hostPort ("If you use containers in
a task with the awsvpc ... network mode ... the hostPort can either be kept blank or be the same
value as the containerPort"), protocol default tcp, HealthCheck interval 30 / timeout 5 /
retries 3 / startPeriod 0, CapacityProviderStrategyItem.base default 0.
"""
from __future__ import annotations

import pytest

from ecsship.plan.diff import diff
from ecsship.reconcilers import service, task_definition
from ecsship.reconcilers.base import NormaliserGap

SPEC_TD = {
    "family": "shop-web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": 256, "memory": 512,
    "containerDefinitions": [{"name": "web", "image": "repo/web:v1", "portMappings": [{"containerPort": 8080}],
                              "environment": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
                              "healthCheck": {"command": ["CMD", "true"]}}],
}
# What DescribeTaskDefinition answers for SPEC_TD: strings for cpu/memory, defaults spelled out,
# read-only fields the normaliser ignores.
LIVE_TD = {
    "family": "shop-web", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
    "revision": 3, "status": "ACTIVE", "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/shop-web:3",
    "containerDefinitions": [{"name": "web", "image": "repo/web:v1", "cpu": 0, "essential": True, "mountPoints": [], "volumesFrom": [],
                              "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                              "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                              "healthCheck": {"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 0}}],
}


def test_a_task_definition_as_answered_equals_its_spec():
    assert diff(task_definition.normalise(SPEC_TD, {}), task_definition.normalise(LIVE_TD, {})) == []


def test_an_image_change_is_drift_at_its_path():
    live = {**LIVE_TD, "containerDefinitions": [{**LIVE_TD["containerDefinitions"][0], "image": "repo/web:v0"}]}
    (change,) = diff(task_definition.normalise(SPEC_TD, {}), task_definition.normalise(live, {}))
    assert change.path == "containerDefinitions.web.image" and (change.old, change.new) == ("repo/web:v0", "repo/web:v1")


def test_environment_order_is_not_drift_but_a_value_is():
    live = {**LIVE_TD, "containerDefinitions": [{**LIVE_TD["containerDefinitions"][0], "environment": [{"name": "A", "value": "9"}, {"name": "B", "value": "2"}]}]}
    assert [c.path for c in diff(task_definition.normalise(SPEC_TD, {}), task_definition.normalise(live, {}))] == ["containerDefinitions.web.environment.A"]


SPEC_SVC = {"taskDefinition": "td:1", "desiredCount": 2,
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-2", "s-1"], "securityGroups": ["sg-1"]}},
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}
LIVE_SVC = {"taskDefinition": "td:1", "desiredCount": 2, "status": "ACTIVE", "runningCount": 2,
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-1", "s-2"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"}},
            "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
            "deploymentController": {"type": "ECS"}, "propagateTags": "NONE", "enableECSManagedTags": False, "healthCheckGracePeriodSeconds": 0}


def test_a_service_as_answered_equals_its_spec():
    assert diff(service.normalise(SPEC_SVC, {}, False, True), service.normalise(LIVE_SVC, {}, False, True)) == []


def test_an_autoscaled_service_ignores_the_desired_count():
    live = {**LIVE_SVC, "desiredCount": 7}
    assert diff(service.normalise(SPEC_SVC, {}, True, True), service.normalise(live, {}, True, True)) == []
    assert [c.path for c in diff(service.normalise(SPEC_SVC, {}, False, True), service.normalise(live, {}, False, True))] == ["desiredCount"]


def test_a_desired_container_field_the_normaliser_does_not_compare_fails():
    """Issue #14 item 4: CONTAINER_KEYS was an allow-list, so a field the builder started sending
    (say readonlyRootFilesystem) would never show as drift. Now the desired side fails loudly;
    the live side may carry anything AWS adds (mountPoints, volumesFrom)."""
    res = type("Res", (), {"label": "task definition shop-web", "tags": {}})()
    reconciler = task_definition.TaskDefinitionReconciler()
    assert reconciler.desired_state(res, {**SPEC_TD, "_service": {"cluster": "c"}})  # ecsship's own notes pass
    spec = {**SPEC_TD, "containerDefinitions": [{**SPEC_TD["containerDefinitions"][0], "readonlyRootFilesystem": True}]}
    with pytest.raises(NormaliserGap, match="container web: the normaliser does not compare readonlyRootFilesystem"):
        reconciler.desired_state(res, spec)
    with pytest.raises(NormaliserGap, match="pidMode"):  # volumes are compared since issue #17
        reconciler.desired_state(res, {**SPEC_TD, "pidMode": "task"})


def test_a_desired_target_group_field_the_normaliser_does_not_compare_fails():
    from ecsship.reconcilers.target_group import TargetGroupReconciler

    res = type("Res", (), {"label": "target group web-blue", "tags": {}})()
    spec = {"Protocol": "HTTP", "Port": 8080, "TargetType": "ip", "VpcId": "vpc-1", "HealthCheckProtocol": "HTTP",
            "HealthCheckPath": "/", "HealthCheckIntervalSeconds": 10, "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3, "Matcher": {"HttpCode": "200"}, "deregistrationDelay": 30, "siblings": ["web-green"]}
    assert TargetGroupReconciler().desired_state(res, spec)["deregistrationDelay"] == 30
    with pytest.raises(NormaliserGap, match="ProtocolVersion"):
        TargetGroupReconciler().desired_state(res, {**spec, "ProtocolVersion": "HTTP2"})
