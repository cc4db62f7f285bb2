"""Ship a revision safely: strategy (how a rollout starts and stops) → watcher (polls, makes events)
→ view (renders them). Stable entry points for other packages:

    roll_out(aws, settings, task_definition_arn, view, ...) -> Outcome
    follow(aws, settings, tracker, view, clock, ...) -> Outcome
    watch_current(aws, settings, view, ...) -> Outcome   (for `apply`: the rollout it just started)
    DeploySettings.from_desired(desired)

See docs/deploy.md. Imports here stay lazy: boto3 loads only when a rollout runs.
"""
from __future__ import annotations

__all__ = ["roll_out", "follow", "watch_current", "DeploySettings", "Outcome"]


def __getattr__(name):
    if name in ("roll_out", "follow", "watch_current"):
        from ecsship.deploy import rollout

        return getattr(rollout, name)
    if name == "DeploySettings":
        from ecsship.deploy.settings import DeploySettings

        return DeploySettings
    if name == "Outcome":
        from ecsship.deploy.model import Outcome

        return Outcome
    raise AttributeError(name)
