"""What `plan --adopt` / `apply --adopt` never do to a running service: replace it, change its desired
count, rename its container, move it off the target group it serves from, replace that group, or
change what the adopted listener rule routes (issue #16). Adoption takes ownership and hardens; a
change of that kind would disturb the service it adopts, so the plan stops and says which field of the
manifest to fix."""
from __future__ import annotations

from ecsship.plan.model import REPLACE, UPDATE

# Target group fields ModifyTargetGroup cannot change (botocore elbv2 ModifyTargetGroup: "Modifies the
# health checks"), each with what to do in the manifest. (A group named in load_balancer.target_group
# keeps its own port: TargetGroupReconciler.desired_state.)
TARGET_GROUP_FIELDS = {"Port": "set `port` as the group's", "VpcId": "set `network.vpc` as the group's",
                       "Protocol": "ecsship routes HTTP: name another group in `load_balancer.target_group`",
                       "TargetType": "ecsship routes to ip targets: name another group in `load_balancer.target_group`"}


def adoption_problems(plan) -> list[tuple[str, str, str]]:
    """[(resource key, message, hint)] for each change adoption refuses; empty when the plan only
    hardens and adopts."""
    problems = []
    for change in plan.changes:
        if change.kind == "service":
            problems += _service(change)
        if change.kind == "task_definition":
            gone = sorted(f.path.split(".")[1] for f in change.fields if f.path.count(".") == 1
                          and f.path.startswith("containerDefinitions.") and f.new is None)
            for name in gone:
                problems.append((change.key, f"the plan renames or removes container {name} of {change.label}",
                                 f"set `container_name: {name}` as the service runs"))
        if change.kind == "target_group" and change.action == REPLACE:
            fixed = [f for f in change.fields if f.path.split(".")[0] in TARGET_GROUP_FIELDS]
            what = ", ".join(f"{f.path} {f.old} -> {f.new}" for f in fixed)
            fixes = "; ".join(sorted({TARGET_GROUP_FIELDS[f.path.split('.')[0]] for f in fixed}))
            problems.append((change.key, f"the plan replaces {change.label} ({what}): AWS cannot change these in place, "
                             "and adoption never replaces the group a service serves from", fixes))
        if change.kind == "listener_rule" and change.adopt:
            routed = sorted({f.path.split(".")[0] for f in change.fields} & {"Conditions", "forward", "Priority"})
            if routed:
                problems.append((change.key, f"the plan changes what {change.label} routes ({', '.join(routed)}): "
                                 "traffic would move while the service is adopted",
                                 "make load_balancer host/path/priority match the rule; change them after adopting"))
    return problems


def _service(change) -> list[tuple[str, str, str]]:
    problems = []
    if change.action == REPLACE:
        forced = ", ".join(sorted({f.path.split(".")[0] for f in change.fields} & {p.split(".")[0] for p in change.replace_fields}))
        problems.append((change.key, f"the plan replaces {change.label} ({forced}): adoption never replaces a running service",
                         "make the manifest match the service for those fields"))
    # Only a running service's load balancing can strand traffic: a service the plan creates has none yet.
    if change.action == UPDATE and any(f.path.startswith("loadBalancers") for f in change.fields):
        problems.append((change.key, f"the plan changes the load balancing of {change.label} (another target group, "
                         "container or port, or none): the listener rule would forward to a group without tasks, so traffic would reach no task",
                         "name the group it serves from in load_balancer.target_group (`ecsship import` writes it), "
                         "with the container_name and port it routes to"))
    for f in change.fields:
        if f.path == "desiredCount":
            problems.append((change.key, f"the plan changes the desired count of {change.label} ({f.old} -> {f.new})",
                             f"set `count: {f.old}` (or scaling.min) as the service runs; change it after adopting"))
    return problems
