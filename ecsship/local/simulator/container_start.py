"""How a multi-container task starts (issue #17): which containers run, which run to completion,
and whether a broken image fails the task.

Follows the botocore ecs model: ContainerDefinition.essential ("If the essential parameter of a
container is marked as true, and that container fails or stops for any reason, all other containers
that are part of the task are stopped. If ... false, its failure doesn't affect the rest of the
containers in a task") and ContainerDependency.condition (COMPLETE: the dependency "runs to
completion (exits) before permitting other containers to start"; SUCCESS: the same, "but it also
requires that the container exits with a zero status").

Modelled: a broken image (the failure-injection pattern) in an essential container fails the task;
in a non-essential container it exits 1 and the task goes on, unless a container waits for its
SUCCESS: that dependant then never starts, and when it (or a container waiting for it) is essential
the task fails. A non-essential container another waits for with COMPLETE or SUCCESS runs to
completion at task start (exit 0 unless broken). Timing is not modelled: every container that starts
does so when the task reaches RUNNING.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StartPlan:
    fails: bool = False  # the task fails (an essential container broken or never started)
    failed: str | None = None  # the container reported as failing
    exits: dict = field(default_factory=dict)  # container -> exit code, for those that exit at start
    blocked: list = field(default_factory=list)  # containers that never start (a dependency failed)


def plan_start(definitions: list[dict], broken) -> StartPlan:
    """`broken(image) -> bool`: the failure injection. Definitions in the ECS API shape."""
    plan = StartPlan()
    by_name = {d.get("name"): d for d in definitions}
    waited_to_finish = {dep.get("containerName") for d in definitions for dep in d.get("dependsOn") or []
                        if dep.get("condition") in ("COMPLETE", "SUCCESS")}
    for name, d in by_name.items():
        essential = d.get("essential", True) is not False
        if broken(d.get("image") or ""):
            if essential:
                plan.fails, plan.failed = True, plan.failed or name
            else:
                plan.exits[name] = 1
        elif not essential and name in waited_to_finish:
            plan.exits[name] = 0
    # A container waiting for the SUCCESS of one that exited non-zero never starts, nor what waits for it.
    changed = True
    while changed:
        changed = False
        for name, d in by_name.items():
            if name in plan.blocked:
                continue
            for dep in d.get("dependsOn") or []:
                other = dep.get("containerName")
                if other in plan.blocked or (dep.get("condition") == "SUCCESS" and plan.exits.get(other, 0) != 0):
                    plan.blocked.append(name)
                    changed = True
                    break
    for name in plan.blocked:
        if by_name[name].get("essential", True) is not False and not plan.fails:
            plan.fails = True
            plan.failed = next((d for d in plan.exits if plan.exits[d]), name)
    return plan
