"""One strategy per deployment controller: ECS (rolling and native blue/green, canary, linear) and CodeDeploy."""
from __future__ import annotations


def strategy_for(aws, settings, clock):
    if settings.uses_codedeploy:
        from ecsship.deploy.strategies.codedeploy import CodeDeployStrategy

        return CodeDeployStrategy(aws, settings, clock)
    from ecsship.deploy.strategies.ecs import EcsStrategy

    return EcsStrategy(aws, settings, clock)
