"""Plan the removal of everything one service owns. Never touches a resource without its ownership tags.

Kept: the cluster (shared by services), custom CodeDeploy deployment configs (shared by name), VPC
endpoints other services still use; the log group unless --delete-logs; task definition revisions
unless --deregister. Each kind says so itself (`on_destroy` on its reconciler); nothing here names a kind.
"""
from __future__ import annotations

from ecsship.desired.output_refs import lookup_in, resolve
from ecsship.plan.model import DELETE, Change, Plan, fingerprint
from ecsship.plan.orphans import find_orphans
from ecsship.plan.plan_and_apply import PlanError, orphan_change
from ecsship.reconcilers import reconciler_for
from ecsship.reconcilers.base import QUIET, OnDestroy, PlanProblem


def make_destroy_plan(aws, desired, delete_logs: bool = False, deregister: bool = False) -> Plan:
    """What each kind's reconciler declares (`on_destroy`, `kept_on_destroy`) decides; no kind is named here."""
    options = {"delete_logs": delete_logs, "deregister": deregister}
    outputs: dict = {}
    problems = []
    for res in desired.resources:
        if res.lookup and _policy(reconciler_for(res.kind)).read_first:
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
        skip = reconciler.kept_on_destroy(live, options)
        if skip:
            if skip != QUIET:
                warnings.append(f"{res.label}: kept ({skip})")
            continue
        found.append((res, live))
    found = _tied(found)
    changes = []
    for res, live in reversed(found):
        note = _policy(reconciler_for(res.kind)).note
        changes.append(Change(key=res.key, kind=res.kind, title=res.title, name=res.name, action=DELETE, live=live,
                              outputs=live.outputs, note=note))
    # What a former shape of the manifest left (plan/orphans.py) goes last: by then nothing uses it.
    orphans = find_orphans(aws, desired, outputs, warnings)
    changes += [orphan_change(res, live) for res, live in orphans]
    states.update({res.key: live.state for res, live in orphans})
    return Plan(desired.service, desired.cluster, changes, fingerprint(states), warnings, 0, outputs,
                orphans={res.key: res for res, _ in orphans})


def _policy(reconciler) -> OnDestroy:
    return reconciler.on_destroy or OnDestroy()


def _tied(found: list[tuple]) -> list[tuple]:
    """Drop what goes with another resource: deleted only together with ours of a kind (`only_with`:
    scaling belongs to the service), or deleted by another's delete (`deleted_with`: DeleteApplication
    deletes the application's deployment groups)."""
    deleting = {res.kind for res, live in found if live.managed}
    kept = []
    for res, live in found:
        policy = _policy(reconciler_for(res.kind))
        if policy.only_with and policy.only_with not in deleting:
            continue
        if policy.deleted_with and policy.deleted_with in deleting:
            continue
        kept.append((res, live))
    return kept
