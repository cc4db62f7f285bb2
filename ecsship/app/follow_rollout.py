"""`apply` that creates the service or changes what it runs rolls out through the deploy engine:
the same watch, outcome, exit codes and last-good record as `ecsship deploy`."""
from __future__ import annotations

import dataclasses

from ecsship.aws.errors import aws_call
from ecsship.deploy.model import ROLLOUT_KINDS
from ecsship.deploy.rollout import roll_out, watch_current
from ecsship.deploy.settings import DeploySettings
from ecsship.desired.names import family_of
from ecsship.desired.output_refs import contains_unknown, lookup_in, resolve
from ecsship.reconcilers.service import CODE_DEPLOY_ROLLED_OUT, normalise
from ecsship.ui.deploy_view import make_view


def starts_rollout(plan) -> bool:
    return any(c.kind in ROLLOUT_KINDS and c.action in ("create", "update", "replace") for c in plan.pending())


def follow_apply(app, run, wait: bool = True):
    """Watch the rollout the applied plan started; None when it started none."""
    if run.verb != "plan" or not starts_rollout(run.plan):
        return None
    settings = DeploySettings.from_desired(run.desired)
    view = make_view(app.out())
    clock = app.clock()
    if settings.uses_codedeploy:
        pending = codedeploy_rollout(run.aws, settings, desired_service(run))
        if pending is not None:
            task_definition, target = pending
            # ECS refuses these in UpdateService on a CODE_DEPLOY service: a CodeDeploy deployment
            # of the desired spec ships them, also with --no-wait (else they would never go out).
            outcome = roll_out(run.aws, dataclasses.replace(settings, target=target), task_definition, view,
                               clock=clock, wait=wait, redeploy=True)
            view.outcome(outcome)
            return outcome
    if not wait:
        app.out().info("not waiting for the rollout (--no-wait); follow it with `ecsship wait`")
        return None
    outcome = watch_current(run.aws, settings, view, clock=clock)
    if outcome.status == "unchanged":
        return None
    view.outcome(outcome)
    return outcome


def desired_service(run) -> dict | None:
    """The service spec of the manifest, every ref resolved from what apply made; None if unknown."""
    res = next((r for r in run.desired.resources if r.key == "service"), None)
    if res is None or run.outputs is None:
        return None
    spec = resolve(res.spec, lookup_in(run.outputs))
    return None if contains_unknown(spec) else spec


def codedeploy_rollout(aws, settings, spec: dict | None) -> tuple[str, dict | None] | None:
    """(task definition, desired service) a CodeDeploy deployment must ship, or None.

    On a CODE_DEPLOY service apply can change neither the revision nor the network or capacity in
    place: when the latest revision of the family is not the one serving, or the service's network
    or capacity differ from the manifest's, a CodeDeploy deployment of the desired spec ships them.
    """
    ecs = aws.client("ecs")
    with aws_call(f"ECS service {settings.service}", "ecs:DescribeServices"):
        services = ecs.describe_services(cluster=settings.cluster, services=[settings.service])["services"]
    if not services or services[0].get("status") != "ACTIVE":
        return None
    live = services[0]
    if (live.get("deploymentController") or {}).get("type") != "CODE_DEPLOY":
        return None
    family = family_of(live["taskDefinition"])
    with aws_call(f"task definition {family}", "ecs:DescribeTaskDefinition"):
        latest = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]["taskDefinitionArn"]
    if latest != live["taskDefinition"]:
        return latest, spec
    if spec is not None and _rolled_out_fields(live, spec) != _rolled_out_fields(spec, spec):
        return latest, spec
    return None


def _rolled_out_fields(service: dict, spec: dict) -> dict:
    state = normalise(service, {}, True, "capacityProviderStrategy" in spec)
    return {k: state.get(k) for k in CODE_DEPLOY_ROLLED_OUT if k != "taskDefinition"}
