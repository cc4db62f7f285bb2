"""`deploy.suspend_scale_in`: keep autoscaling from removing tasks while a rollout runs.

Uses the scalable target's SuspendedState, and restores exactly what was there before
(also on failure or Ctrl-C). Desired count itself is never touched by deploy.
"""
from __future__ import annotations

from contextlib import contextmanager

from ecsship.aws.errors import aws_call


@contextmanager
def scale_in_suspended(aws, cluster: str, service: str, enabled: bool, note=lambda text: None):
    if not enabled:
        yield
        return
    client = aws.client("application-autoscaling")
    resource_id = f"service/{cluster}/{service}"
    with aws_call(f"scalable target {resource_id}", "application-autoscaling:DescribeScalableTargets"):
        targets = client.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource_id]).get("ScalableTargets", [])
    if not targets:
        yield
        return
    before = targets[0].get("SuspendedState") or {}
    if before.get("DynamicScalingInSuspended"):
        yield  # someone already suspended it: leave it as we found it
        return
    _set(client, resource_id, {**_defaults(before), "DynamicScalingInSuspended": True})
    note("autoscaling scale-in suspended for the rollout")
    try:
        yield
    finally:
        _set(client, resource_id, {**_defaults(before), "DynamicScalingInSuspended": False})
        note("autoscaling scale-in restored")


def _defaults(state: dict) -> dict:
    return {
        "DynamicScalingInSuspended": bool(state.get("DynamicScalingInSuspended", False)),
        "DynamicScalingOutSuspended": bool(state.get("DynamicScalingOutSuspended", False)),
        "ScheduledScalingSuspended": bool(state.get("ScheduledScalingSuspended", False)),
    }


def _set(client, resource_id: str, state: dict) -> None:
    with aws_call(f"scalable target {resource_id}", "application-autoscaling:RegisterScalableTarget"):
        client.register_scalable_target(
            ServiceNamespace="ecs", ResourceId=resource_id,
            ScalableDimension="ecs:service:DesiredCount", SuspendedState=state,
        )
