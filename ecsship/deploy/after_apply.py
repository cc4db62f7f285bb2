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
    clock = make_clock()
    if settings.uses_codedeploy:
        pending = _codedeploy_revision(session.aws, settings)
        if pending is not None:
            from ecsship.deploy.engine import roll_out

            outcome = roll_out(session.aws, settings, pending, view, clock=clock)
            view.outcome(outcome)
            return outcome
    outcome = watch_current(session.aws, settings, view, clock=clock)
    if outcome.status == "unchanged":
        return None
    view.outcome(outcome)
    return outcome


def _codedeploy_revision(aws, settings) -> str | None:
    """On a CODE_DEPLOY service apply registers a new revision but cannot switch to it (ECS rejects
    UpdateService(taskDefinition)); the latest revision of the family, when it is not the one
    serving, is what a CodeDeploy deployment must ship."""
    from ecsship.aws.errors import aws_call

    ecs = aws.client("ecs")
    with aws_call(f"ECS service {settings.service}", "ecs:DescribeServices"):
        services = ecs.describe_services(cluster=settings.cluster, services=[settings.service])["services"]
    if not services or services[0].get("status") != "ACTIVE":
        return None
    family = services[0]["taskDefinition"].rsplit("/", 1)[-1].rsplit(":", 1)[0]
    with aws_call(f"task definition {family}", "ecs:DescribeTaskDefinition"):
        latest = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]["taskDefinitionArn"]
    return latest if latest != services[0]["taskDefinition"] else None
