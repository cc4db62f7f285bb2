"""`apply` that creates the service or changes what it runs rolls out through the deploy engine:
the same watch, outcome, exit codes and last-good record as `ecsship deploy`."""
from __future__ import annotations

ROLLOUT_KEYS = ("service", "task_definition")


def starts_rollout(plan) -> bool:
    return any(c.key in ROLLOUT_KEYS and c.action in ("create", "update", "replace") for c in plan.pending())


def follow_apply(options, session, wait: bool = True):
    """Watch the rollout the applied plan started; None when it started none."""
    if session.verb != "plan" or not starts_rollout(session.plan):
        return None
    from ecsship.deploy.clock import make_clock
    from ecsship.deploy.engine import watch_current
    from ecsship.deploy.settings import DeploySettings
    from ecsship.ui.deploy_view import make_view

    settings = DeploySettings.from_manifest(session.manifest_data)
    if not wait:
        options.out().info("not waiting for the rollout (--no-wait); follow it with `ecsship status --watch`")
        return None
    view = make_view(options.out())
    outcome = watch_current(session.aws, settings, view, clock=make_clock())
    if outcome.status == "unchanged":
        return None
    view.outcome(outcome)
    return outcome
