"""What `plan --adopt` / `apply --adopt` never do to a running service: replace it, change its desired
count, or rename its container (issue #16). Adoption takes ownership and hardens; a change of that kind
would disturb the service it adopts, so the plan stops and says which field of the manifest to fix."""
from __future__ import annotations

from ecsship.plan.model import REPLACE, UPDATE


def adoption_problems(plan) -> list[tuple[str, str, str]]:
    """[(resource key, message, hint)] for each change adoption refuses; empty when the plan only
    hardens and adopts."""
    problems = []
    for change in plan.changes:
        if change.kind == "service" and change.action == REPLACE:
            forced = ", ".join(sorted({f.path.split(".")[0] for f in change.fields} & {p.split(".")[0] for p in change.replace_fields}))
            problems.append((change.key, f"the plan replaces {change.label} ({forced}): adoption never replaces a running service",
                             "make the manifest match the service for those fields"))
        # Only a running service's load balancing can strand traffic: a service the plan creates has none yet.
        if change.kind == "service" and change.action == UPDATE and any(f.path.startswith("loadBalancers") for f in change.fields):
            problems.append((change.key, f"the plan changes the load balancing of {change.label} (to ecsship's target group, or "
                             "none): the existing listener rule would forward to a group without tasks: traffic would reach no task",
                             "adopting a service behind a load balancer is not supported yet (ecsship would have to take over "
                             "its target group and listener rule); see docs/adopting.md"))
        if change.kind == "service":
            for f in change.fields:
                if f.path == "desiredCount":
                    problems.append((change.key, f"the plan changes the desired count of {change.label} ({f.old} -> {f.new})",
                                     f"set `count: {f.old}` (or scaling.min) as the service runs; change it after adopting"))
        if change.kind == "task_definition":
            gone = sorted(f.path.split(".")[1] for f in change.fields if f.path.count(".") == 1
                          and f.path.startswith("containerDefinitions.") and f.new is None)
            for name in gone:
                problems.append((change.key, f"the plan renames or removes container {name} of {change.label}",
                                 f"set `container_name: {name}` as the service runs"))
    return problems
