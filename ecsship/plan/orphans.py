"""Resources ecsship made for this service that the manifest no longer describes ("orphans").

A deployment controller switch (CODE_DEPLOY -> ECS blue/green, or a replace to rolling) leaves the
CodeDeploy application, deployment group and role, or the blue/green target groups, the test
listener rule and the `-ecs-lb` role, behind; removing every job (`jobs:`) leaves the schedules, the
`-scheduler` role, the dead-letter queue and the `-jobs-failed` rule and alarm (issue #18). `plan` lists them as deletions, `apply` deletes them
through the executor, `destroy` too.

Found cheaply: the plan's one Resource Groups Tagging API `GetResources` (paginated; reconcilers/tag_index.py)
filtered by this service's ownership tags (`ecsship:service`, `ecsship:cluster`) and the resource types a
former shape left (among others the plan's reads use). Its
index can lag behind a delete, and a filter is no proof of ownership, so each candidate is read back
by its own reconciler and kept only if it exists and carries our tags. IAM roles are not in that
index ("The GetResources operation does not currently support IAM users and roles", Resource Groups
Tagging API, "Services that support the Resource Groups Tagging API"): the roles a former shape had
are read by name, and only when the tag lookup found something or the manifest is blue/green (a
converged rolling service pays one read, a blue/green one two).

Jobs: the dead-letter queue (`sqs:queue`), the alarm (`cloudwatch:alarm`) and the rule (`events:rule`)
are in that index; schedules in the default group take no tags at all (botocore scheduler TagResource
tags schedule groups only). So once the queue or the alarm says the service had jobs, the schedules
are read by ListSchedules(NamePrefix) (kept only with our description marker), the `-scheduler` role
and the rule by name (kept only with our tags: the index may lag behind a tag change); a service that
never had jobs pays no read for them.

Deletion order (every orphan after the plan's other changes, so nothing still uses them): the
schedules first (they start tasks with the role and report to the queue), roles next (nothing is left to find them by if an apply stops after the rest is gone; a stopped apply
otherwise resumes from what the tag lookup still finds), then listener rules forwarding to an orphan
target group (ELB DeleteTargetGroup: "You can delete a target group if it is not referenced by any
actions"), the deployment group before its application, the target groups, then the alarm and rule, and the
jobs queue last: it is what the jobs' other leftovers are found by if an apply stops half way.
"""
from __future__ import annotations

from functools import partial

from ecsship.aws.concurrency import gather
from ecsship.aws.errors import aws_call
from ecsship.desired import names
from ecsship.desired import resources as r
from ecsship.errors import EcsshipError
from ecsship.reconcilers import reconciler_for, tag_index
from ecsship.reconcilers.base import CLUSTER_KEY, OWNER_KEY, Live
from ecsship.reconcilers.elb_tags import tags_of
from ecsship.reconcilers.role import REGION_KEY

FORMER_ROLES = ("codedeploy", "ecs-lb")  # purposes of roles only a blue/green shape makes
NOTE = "no longer in the manifest"
DENIED = ("AccessDenied", "AccessDeniedException")
ORDER = ("schedules", "role", "listener_rule", "codedeploy_group", "codedeploy_app", "target_group", "alarm", "event_rule", "queue")
JOB_KINDS = ("schedules", "queue", "alarm", "event_rule")


def find_orphans(aws, desired, outputs: dict, warnings: list | None = None) -> list[tuple]:
    """(resource, live) for each orphan, in deletion order. `outputs`: the plan's live outputs by key
    (the listener rules the manifest keeps are never orphans). A deployer without `tag:GetResources`
    still plans: nothing is looked for, and `warnings` says so."""
    return with_forwarding_rules(aws, desired, orphans_by_tags(aws, desired, warnings), outputs)


def orphans_by_tags(aws, desired, warnings: list | None = None) -> list[tuple]:
    """`find_orphans` but the listener rules forwarding to an orphan target group: needs nothing the
    plan reads, so a plan runs it beside its other reads. Each candidate is read side by side."""
    try:
        tagged = tag_index.tagged(aws, desired.ownership_tags())
    except EcsshipError as exc:
        if getattr(exc, "code", "") not in DENIED:
            raise
        if warnings is not None:
            warnings.append("leftovers of a former manifest shape were not looked for: tag:GetResources is denied "
                            "(grant it to find and delete them)")
        return []
    candidates = select_orphans(desired, tagged)
    # A blue/green manifest may have switched controller in place (ECS <-> CODE_DEPLOY) and kept every
    # tagged resource: the other controller's role is then the only leftover, so it is always read.
    purposes = FORMER_ROLES if candidates or desired.get("target_group.blue") is not None else ()
    if any(res.kind in JOB_KINDS for res in candidates):
        purposes += ("scheduler",)
    roles = _former_roles(aws, desired, purposes)
    lives = gather([partial(reconciler_for(res.kind).read, aws, res, res.spec) for res in (*candidates, *roles)])
    found = [(res, live) for res, live in zip(candidates, lives) if live is not None and live.managed]
    found += [(res, live) for res, live in zip(roles, lives[len(candidates):])
              if live is not None and live.managed and live.state["tags"].get(REGION_KEY) == aws.region]
    return found


def with_forwarding_rules(aws, desired, found: list[tuple], outputs: dict) -> list[tuple]:
    """`found` (from `orphans_by_tags`) with our listener rules forwarding to an orphan target group,
    in deletion order."""
    found = found + _rules_forwarding_to(aws, desired, [live.outputs["arn"] for res, live in found if res.kind == "target_group"],
                                         outputs)
    return sorted(found, key=lambda pair: ORDER.index(pair[0].kind))


def select_orphans(desired, tagged: list[tuple[str, dict]]) -> list:
    """Pure: the resources among `tagged` ([(ARN, tags)] from GetResources) that carry this
    service's ownership tags and that the desired model does not describe, as synthetic resources
    their reconcilers can read and delete. Anything else (untagged, another service's or cluster's,
    a kind ecsship does not clean up) is never selected."""
    ours = desired.ownership_tags()
    kept_apps = {res.name for res in desired.resources if res.kind == "codedeploy_app"}
    kept_groups = {(res.spec.get("applicationName"), res.name) for res in desired.resources if res.kind == "codedeploy_group"}
    kept_target_groups = {n for res in desired.resources if res.kind == "target_group"
                          for n in (res.name, names.replacement_target_group_name(res.name))}
    jobs = _job_leftovers(desired)
    out: list = []
    for arn, tags in tagged:
        if any(tags.get(key) != value for key, value in ours.items()):
            continue
        kind, name, app = _parse(arn)
        if kind == "codedeploy_app" and name not in kept_apps:
            out.append(r.CodeDeployApp(key=f"orphan.codedeploy_app.{name}", name=name, tags=ours,
                                       spec={"computePlatform": "ECS"}, note=NOTE))
        elif kind == "codedeploy_group" and (app, name) not in kept_groups:
            out.append(r.CodeDeployGroup(key=f"orphan.codedeploy_group.{app}/{name}", name=name, tags=ours,
                                         spec={"applicationName": app}, note=NOTE))
        elif kind == "target_group" and name not in kept_target_groups:
            out.append(r.TargetGroup(key=f"orphan.target_group.{name}", name=name, tags=ours, spec={}, note=NOTE))
        elif (kind, name) in jobs:
            out.append(jobs[(kind, name)])
    selected = {res.key for res in out}
    if selected & {"orphan.queue.jobs", "orphan.alarm.jobs-failed"}:
        # The service had jobs: what the index cannot show (schedules) or may not show yet (the rule) is read by name.
        out += [res for res in jobs.values() if res.kind in ("schedules", "event_rule") and res.key not in selected]
    return sorted(out, key=lambda res: (ORDER.index(res.kind), res.key))


def _job_leftovers(desired) -> dict:
    """{(kind, name): synthetic resource} of the job resources the desired model does not describe
    (all of them once `jobs:` is empty; the rule and alarm alone when alarms.notify went)."""
    cluster, service, ours = desired.cluster, desired.service, desired.ownership_tags()
    every = [r.Queue(key="orphan.queue.jobs", name=names.jobs_queue_name(cluster, service), tags=ours, spec={}, note=NOTE),
             r.Alarm(key="orphan.alarm.jobs-failed", name=names.alarm_name(cluster, service, "jobs-failed"), tags=ours,
                     spec={}, note=NOTE),
             r.EventRule(key="orphan.event_rule.jobs", name=names.jobs_rule_name(cluster, service), tags=ours, spec={}, note=NOTE),
             r.Schedules(key="orphan.schedules", name=f"{names.schedule_prefix(cluster, service)}*", tags=ours, note=NOTE,
                         spec={"schedules": {}, "marker": names.job_marker(cluster, service),
                               "prefix": names.schedule_prefix(cluster, service)})]
    kept = {res.key for res in desired.resources}
    return {(res.kind, res.name): res for res in every if res.key.removeprefix("orphan.") not in kept}


def _parse(arn: str) -> tuple[str, str, str]:
    """(kind, name, application) of an ARN GetResources returned; ("", "", "") for any other."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "", "", ""
    service, resource = parts[2], parts[5]
    if service == "codedeploy" and resource.startswith("application:"):
        return "codedeploy_app", resource.split(":", 1)[1], ""
    if service == "codedeploy" and resource.startswith("deploymentgroup:") and "/" in resource:
        app, group = resource.split(":", 1)[1].split("/", 1)
        return "codedeploy_group", group, app
    if service == "elasticloadbalancing" and resource.startswith("targetgroup/"):
        return "target_group", resource.split("/")[1], ""
    if service == "sqs":
        return "queue", resource, ""
    if service == "cloudwatch" and resource.startswith("alarm:"):
        return "alarm", resource.split(":", 1)[1], ""
    if service == "events" and resource.startswith("rule/") and resource.count("/") == 1:  # the default bus's
        return "event_rule", resource.split("/", 1)[1], ""
    return "", "", ""


def _rules_forwarding_to(aws, desired, target_groups: list[str], outputs: dict) -> list[tuple]:
    """Our listener rules that forward to an orphan target group (the test rule of a former
    blue/green shape), except the rules the manifest keeps (the production rule moves elsewhere in
    the same apply)."""
    if not target_groups:
        return []
    kept = {(outputs.get(res.key) or {}).get("arn") for res in desired.resources if res.kind == "listener_rule"}
    elb = aws.client("elbv2")
    with aws_call("orphan target groups", "elasticloadbalancing:DescribeTargetGroups"):
        balancers = sorted({lb for tg in elb.describe_target_groups(TargetGroupArns=target_groups)["TargetGroups"]
                            for lb in tg.get("LoadBalancerArns") or []})
    rules = []
    for balancer in balancers:
        with aws_call(f"load balancer {balancer.split('/')[-2]}", "elasticloadbalancing:DescribeListeners"):
            listeners = [(item["ListenerArn"], item.get("Port")) for page in
                         elb.get_paginator("describe_listeners").paginate(LoadBalancerArn=balancer) for item in page["Listeners"]]
        for listener, port in listeners:
            with aws_call(f"rules on :{port}", "elasticloadbalancing:DescribeRules"):
                pages = elb.get_paginator("describe_rules").paginate(ListenerArn=listener)
                rules += [(listener, port, rule) for page in pages for rule in page["Rules"] if not rule.get("IsDefault")
                          and rule["RuleArn"] not in kept and set(_forwards(rule)) & set(target_groups)]
    tags = tags_of(aws, [rule["RuleArn"] for _, _, rule in rules], "listener rules")
    ours = desired.ownership_tags()
    found = []
    for listener, port, rule in rules:
        rule_tags = tags.get(rule["RuleArn"], {})
        if rule_tags.get(OWNER_KEY) != ours[OWNER_KEY] or rule_tags.get(CLUSTER_KEY) != ours[CLUSTER_KEY]:
            continue  # not ours: the target group it forwards to stays in use, and its delete says so
        res = r.ListenerRule(key=f"orphan.listener_rule.{rule['RuleArn'].rsplit('/', 1)[-1]}", name=f"{desired.service} on :{port}",
                             tags=ours, note=NOTE, spec={"ListenerArn": listener, "Priority": int(rule["Priority"])})
        found.append((res, Live(state={"Priority": int(rule["Priority"])}, outputs={"arn": rule["RuleArn"]})))
    return found


def _forwards(rule: dict) -> list[str]:
    out = []
    for action in rule.get("Actions") or []:
        if action.get("TargetGroupArn"):
            out.append(action["TargetGroupArn"])
        out += [g["TargetGroupArn"] for g in (action.get("ForwardConfig") or {}).get("TargetGroups") or []]
    return out


def _former_roles(aws, desired, purposes: tuple) -> list:
    """The roles of a former shape (CodeDeploy's, ECS blue/green's) the manifest no longer has, to be
    read by name: ours only with our tags and this region's `ecsship:region` (IAM names are
    account-wide: the same service in another region keeps its own)."""
    kept = {res.name for res in desired.resources if res.kind == "role"}
    region = aws.region
    out = []
    for purpose in purposes:
        name = names.role_name(desired.cluster, desired.service, purpose)
        if name not in kept:
            out.append(r.Role(key=f"orphan.role.{purpose}", name=name, tags=desired.ownership_tags(), spec={"region": region},
                              note=NOTE))
    return out
