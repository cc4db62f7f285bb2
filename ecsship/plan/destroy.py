"""Plan the removal of everything one service owns. Never touches a resource without its ownership tags.

Kept: the cluster (shared by services), custom CodeDeploy deployment configs (shared by name), VPC
endpoints other services still use; the log group unless --delete-logs; task definition revisions
unless --deregister.
"""
from __future__ import annotations

from ecsship.desired.refs import lookup_in, resolve
from ecsship.plan.engine import PlanError
from ecsship.plan.model import DELETE, Change, Plan, fingerprint
from ecsship.reconcilers import reconciler_for
from ecsship.reconcilers.base import PlanProblem

NEEDED_LOOKUPS = ("network", "alb_lookup")  # the image and secrets need not exist to be destroyed
NEVER_DELETED = {"cluster": "shared by the services in it", "codedeploy_config": "deployment configs are shared by name",
                 "namespace": "shared by the services registered in it"}


def make_destroy_plan(aws, desired, delete_logs: bool = False, deregister: bool = False) -> Plan:
    outputs: dict = {}
    problems = []
    for res in desired.resources:
        if res.lookup and res.kind in NEEDED_LOOKUPS:
            try:
                outputs[res.key] = reconciler_for(res.kind).read(aws, res, resolve(res.spec, lookup_in(outputs))).outputs
            except PlanProblem as problem:
                problems.append(problem)
    if problems:
        raise PlanError(problems)
    found: list[tuple] = []
    states: dict = {}
    warnings: list[str] = []
    for res in desired.managed():
        reconciler = reconciler_for(res.kind, missing_ok=True)
        if reconciler is None:
            continue
        try:
            live = reconciler.read(aws, res, resolve(res.spec, lookup_in(outputs)))
        except PlanProblem as problem:
            warnings.append(f"{res.label}: left alone: {problem.message}")
            continue
        outputs[res.key] = live.outputs if live else None
        states[res.key] = live.state if live else None
        if live is None:
            continue
        skip = _why_kept(res, live, reconciler, delete_logs, deregister)
        if skip:
            if skip != "quiet":
                warnings.append(f"{res.label}: kept ({skip})")
            continue
        found.append((res, live))
    service = next((live for res, live in found if res.kind == "service"), None)
    if service is None or not service.managed:
        # Scaling belongs to the service: without our service there is nothing of ours to deregister.
        found = [(res, live) for res, live in found if res.kind != "autoscaling"]
    if any(res.kind == "codedeploy_app" for res, _ in found):
        # DeleteApplication deletes the application's deployment groups with it.
        found = [(res, live) for res, live in found if res.kind != "codedeploy_group"]
    changes = [Change(key=res.key, kind=res.kind, title=res.title, name=res.name, action=DELETE, live=live,
                      outputs=live.outputs, note=live.note if res.kind == "vpc_endpoints" else "")
               for res, live in reversed(found)]
    for change in changes:
        if change.kind == "vpc_endpoints":
            change.note = "stops using the endpoints; deletes only those ecsship created that no other service uses"
    return Plan(desired.service, desired.cluster, changes, fingerprint(states), warnings, 0, outputs)


def _why_kept(res, live, reconciler, delete_logs: bool, deregister: bool) -> str | None:
    if res.kind in NEVER_DELETED:
        return NEVER_DELETED[res.kind]
    if res.kind == "log_group" and not delete_logs:
        return "logs are kept; pass --delete-logs to delete them"
    if res.kind == "task_definition":
        if not deregister:
            return "quiet"
        return None if live.managed else "revisions not tagged by ecsship"
    if res.kind == "vpc_endpoints":
        ours = any((e or {}).get("user") for e in live.state["endpoints"].values()) or live.state["securityGroup"]["allows443From"]
        return None if ours else "quiet"
    if res.kind == "autoscaling":
        return None  # tied to the service / shared with per-user tags: their delete is scoped already
    if not live.managed:
        return "exists but is not managed by ecsship"
    return None
