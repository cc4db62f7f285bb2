"""Scheduled scaling moves the scalable target's bounds by design (issue #12 item 15)."""
from __future__ import annotations

SCALING = {"min": 1, "max": 10, "cpu": 70, "schedules": [{"name": "business-hours", "cron": "cron(0 8 ? * MON-FRI *)", "min": 4, "max": 12}]}


def _bounds(aws) -> tuple:
    target = aws.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=["service/shop/worker"])["ScalableTargets"][0]
    return target["MinCapacity"], target["MaxCapacity"]


def test_bounds_a_schedule_set_are_not_drift_and_stay(run_cli, manifest, aws):
    """Application Auto Scaling User Guide, "Scheduled scaling": when a scheduled action runs, the
    scalable target's MinCapacity/MaxCapacity become the action's values. A plan in business hours
    must not call that drift, and apply must not put the bounds back (the schedule would be undone
    until it next fires). A manifest change of a bound still applies."""
    path = manifest("worker", scaling=SCALING)
    assert run_cli("apply", "--no-wait", "-f", path, "--yes").exit_code == 0
    assert _bounds(aws) == (1, 10)
    # The business-hours action fires (the local AWS does not run schedules: set what it would).
    aws.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId="service/shop/worker", ScalableDimension="ecs:service:DesiredCount", MinCapacity=4, MaxCapacity=12)
    plan = run_cli("plan", "-f", path, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    assert run_cli("apply", "--no-wait", "-f", path, "--yes").exit_code == 0
    assert _bounds(aws) == (4, 12)
    # A value no schedule sets is drift, repaired; only that bound is sent.
    aws.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId="service/shop/worker", ScalableDimension="ecs:service:DesiredCount", MinCapacity=3)
    assert run_cli("plan", "-f", path, "--detailed-exitcode").exit_code == 2
    assert run_cli("apply", "--no-wait", "-f", path, "--yes").exit_code == 0
    assert _bounds(aws) == (1, 12)
