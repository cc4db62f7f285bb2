"""ECS-native BLUE_GREEN, CANARY and LINEAR deployments (placeholder until implemented)."""
from __future__ import annotations


def step_bluegreen(engine, backend, service, sim, rollout, now, elbv2) -> None:
    engine.schedule_rolling(backend, service, sim, rollout, now, elbv2)
