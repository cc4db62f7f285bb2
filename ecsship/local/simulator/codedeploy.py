"""CodeDeploy ECS deployments (placeholder until implemented)."""
from __future__ import annotations


class CodeDeployEngine:
    def __init__(self, simulator):
        self.simulator = simulator

    def busy(self) -> bool:
        return False

    def step(self, now: float) -> None:
        pass


def create_initial_task_set(backend, service, now: float) -> None:
    pass
