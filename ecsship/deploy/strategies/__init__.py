"""One strategy per deployment controller: ECS (rolling and native blue/green, canary, linear) and CodeDeploy."""
from __future__ import annotations

from ecsship.deploy.strategies.codedeploy import CodeDeployStrategy
from ecsship.deploy.strategies.ecs import EcsStrategy


def strategy_for(aws, settings, clock):
    if settings.uses_codedeploy:
        return CodeDeployStrategy(aws, settings, clock)
    return EcsStrategy(aws, settings, clock)
