"""The rollout simulator: ECS and CodeDeploy deployments progressing over the backend's clock."""
from __future__ import annotations

from ecsship.local.simulator.advance import Simulator

__all__ = ["Simulator"]
