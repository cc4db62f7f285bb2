"""Listener rule on the ALB's listener: host and/or path conditions at a priority, forward to the target group.

A priority taken by a rule ecsship does not own is a plan error naming its owner, except an untagged
rule whose one action forwards to the service's own target group: that is the service's rule made by
hand, which `--adopt` tags and manages from then on (issue #16; `_adoptable`). For blue/green the
rule forwards to the blue/green pair and the controller (ECS or CodeDeploy) moves traffic between
them: which of the pair gets the traffic, and the weights, are theirs, not drift.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.errors import EcsshipError
from ecsship.reconcilers import tag_index
from ecsship.reconcilers.base import (
    CLUSTER_KEY,
    OWNER_KEY,
    Live,
    OnDestroy,
    PlanProblem,
    Reconciler,
    check_known,
    check_known_items,
    converge_existing,
    owned,
    tag_list,
)
from ecsship.reconcilers.cache import cached, forget
from ecsship.reconcilers.elb_tags import tags_of

COMPARED = ("Priority", "Conditions", "targetGroupArn", "pair")  # the target (or the pair) as `forward`
# Where the rule is read (its listener, the listeners of the service's rules), and the weighted
# second target of a pair: the controller moves traffic within the pair, so that is not drift.
NOT_COMPARED = ("ListenerArn", "listeners", "weighted", "alternateTargetGroupArn", "targetGroupName")


def _conditions(conditions) -> list:
    out = []
    for c in conditions or []:
        field = c["Field"]
        values = c.get("Values")
        if not values:
            config = c.get("HostHeaderConfig") if field == "host-header" else c.get("PathPatternConfig") if field == "path-pattern" else None
            values = (config or {}).get("Values") or []
        out.append({"Field": field, "Values": sorted(values)})
    return sorted(out, key=lambda c: c["Field"])


def _targets(actions) -> list:
    for action in actions or []:
        if action.get("Type") != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups")
        if groups:
            return sorted(g["TargetGroupArn"] for g in groups)
        if action.get("TargetGroupArn"):
            return [action["TargetGroupArn"]]
    return []


def _group_name(arn: str) -> str:
    """`arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID` -> NAME."""
    return arn.split(":", 5)[-1].split("/")[1] if "targetgroup/" in arn else ""


def _adoptable(rule: dict, spec: dict) -> bool:
    """A rule without ecsship's tags is this service's to adopt (issue #16) when its only action
    forwards to the service's own target group (by name: names are unique per region and account,
    and the name is known before the group's ARN is). Any other rule at the priority is someone else's.
    Blue/green pairs are always ecsship's own: never adopted."""
    actions = rule.get("Actions") or []
    targets = _targets(actions)
    return (not spec.get("pair") and bool(spec.get("targetGroupName")) and len(actions) == 1 and len(targets) == 1
            and _group_name(targets[0]) == spec["targetGroupName"])


def _owner(rule: dict, tags: dict) -> str:
    if OWNER_KEY in tags:
        return f"{tags.get(CLUSTER_KEY)}/{tags[OWNER_KEY]}"
    forwards = ", ".join(_group_name(a) for a in _targets(rule.get("Actions")))
    return "a rule ecsship does not manage" + (f" (forwarding to {forwards})" if forwards else "")


def _taken_hint(rule: dict, tags: dict, spec: dict) -> str:
    groups = [_group_name(a) for a in _targets(rule.get("Actions"))]
    if OWNER_KEY not in tags and len(groups) == 1 and not spec.get("pair"):
        if groups[0] == spec.get("targetGroupName"):
            return "ecsship adopts a rule whose only action forwards to the target group; change the rule by hand, or pick a free priority"
        return (f"if it is this service's rule, adopt it with its group: `load_balancer.target_group: {groups[0]}` "
                "and `plan --adopt`; otherwise pick a free load_balancer.priority (lower wins)")
    return "pick a free load_balancer.priority (lower wins)"


def _listeners(spec) -> tuple:
    return tuple(sorted({spec["ListenerArn"], *[a for a in spec.get("listeners") or [] if isinstance(a, str)]}))


def _cache_key(spec) -> tuple:
    return ("listener_rules", _listeners(spec), spec["Priority"])


class ListenerRuleReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "listener_rule"
    read_needs = ("ListenerArn",)

    def read(self, aws, res, spec):
        rules_by_listener, tags_by_arn = self._rules(aws, res, spec)
        rules = rules_by_listener[spec["ListenerArn"]]
        at_priority = next((r for r in rules if r["Priority"] == str(spec["Priority"])), None)
        rule = None
        managed = True
        if at_priority is not None:
            tags = tags_by_arn.get(at_priority["RuleArn"], {})
            if not owned(tags, res):
                if OWNER_KEY in tags or not _adoptable(at_priority, spec):
                    raise PlanProblem(f"{res.label}: priority {spec['Priority']} is taken by {_owner(at_priority, tags)}",
                                      _taken_hint(at_priority, tags, spec))
                managed = False  # this service's own rule, made by hand: plan_resource asks for --adopt
            rule = at_priority
        else:  # our rule may sit at the priority the manifest used before
            rule = next((r for r in rules if owned(tags_by_arn.get(r["RuleArn"], {}), res)), None)
        if rule is None:
            return None
        tags = tags_by_arn.get(rule["RuleArn"], {})
        state = {"Priority": int(rule["Priority"]), "Conditions": _conditions(rule.get("Conditions")),
                 "forward": self._forward_state(_targets(rule.get("Actions")), spec), "tags": tags}
        return Live(state=state, outputs={"arn": rule["RuleArn"]}, managed=managed)

    def _rules(self, aws, res, spec) -> tuple[dict, dict]:
        """Rules of every listener this service has a rule on, and the tags of the rules that matter
        (ours at the priority, or all when it is free): one DescribeTags for production and test rules,
        often none of its own (the plan's batched DescribeTags, elb_tags.prefetch)."""
        by_listener, candidates = self._listed(aws, res, spec)
        return by_listener, tags_of(aws, candidates, res.label, res)

    def elb_tag_arns(self, aws, res, spec) -> list:
        return self._listed(aws, res, spec)[1]

    def _listed(self, aws, res, spec) -> tuple[dict, list]:
        listeners = _listeners(spec)

        def fetch():
            elb = aws.client("elbv2")
            by_listener, candidates = {}, []
            ours = _ours_by_listener(aws, res)
            for arn in listeners:
                mine = ours.get(arn) or []
                at_priority = [r for r in mine if r["Priority"] == str(spec["Priority"])]
                # Our rule at the wanted priority is the only rule there (priorities are unique on a
                # listener), and of another listener only our rules matter here (for their tags): no listing.
                if at_priority or (mine and arn != spec["ListenerArn"]):
                    by_listener[arn] = mine
                    candidates += at_priority or mine
                    continue
                with aws_call(res.label, "elasticloadbalancing:DescribeRules"):
                    pages = elb.get_paginator("describe_rules").paginate(ListenerArn=arn)
                    rules = [r for page in pages for r in page["Rules"] if not r.get("IsDefault")]
                by_listener[arn] = rules
                at_priority = [r for r in rules if r["Priority"] == str(spec["Priority"])]
                candidates += at_priority or rules
            return by_listener, [r["RuleArn"] for r in candidates]

        return cached(aws, _cache_key(spec), fetch)

    def _forward_state(self, targets: list, spec) -> object:
        pair = [a for a in (spec.get("pair") or []) if a]
        if pair and targets and set(targets) <= set(pair):
            return "blue/green pair"
        return targets

    def desired_state(self, res, spec, live=None):
        check_known(spec, COMPARED + NOT_COMPARED, res.label)
        check_known_items(spec["Conditions"], ("Field", "Values"), f"{res.label} condition")
        forward = "blue/green pair" if spec.get("pair") else [spec["targetGroupArn"]]
        return {"Priority": spec["Priority"], "Conditions": _conditions(spec["Conditions"]), "forward": forward, "tags": dict(res.tags)}

    def _actions(self, spec) -> list:
        if spec.get("weighted") and spec.get("alternateTargetGroupArn"):
            return [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                {"TargetGroupArn": spec["targetGroupArn"], "Weight": 100},
                {"TargetGroupArn": spec["alternateTargetGroupArn"], "Weight": 0}]}}]
        return [{"Type": "forward", "TargetGroupArn": spec["targetGroupArn"]}]

    def create(self, aws, res, spec):
        forget(aws, _cache_key(spec))  # a converging read-back must see the new rule
        try:
            with aws_call(res.label, "elasticloadbalancing:CreateRule"):
                rule = aws.client("elbv2").create_rule(ListenerArn=spec["ListenerArn"], Priority=spec["Priority"],
                                                       Conditions=spec["Conditions"], Actions=self._actions(spec), Tags=tag_list(res.tags))["Rules"][0]
        except Exception as exc:
            if getattr(exc, "code", "") != "PriorityInUse":
                raise
            return converge_existing(self, aws, res, spec, exc)  # ours from a lost answer, else the error stands
        return {"arn": rule["RuleArn"]}

    def update(self, aws, res, spec, live, fields):
        elb = aws.client("elbv2")
        arn = live.outputs["arn"]
        paths = {f.path.split(".")[0] for f in fields}
        if paths & {"Conditions", "forward"}:
            kwargs = {"Conditions": spec["Conditions"]}
            if "forward" in paths:
                kwargs["Actions"] = self._actions(spec)
            with aws_call(res.label, "elasticloadbalancing:ModifyRule"):
                elb.modify_rule(RuleArn=arn, **kwargs)
        if "Priority" in paths:
            with aws_call(res.label, "elasticloadbalancing:SetRulePriorities"):
                elb.set_rule_priorities(RulePriorities=[{"RuleArn": arn, "Priority": spec["Priority"]}])
        if "tags" in paths:
            with aws_call(res.label, "elasticloadbalancing:AddTags"):
                elb.add_tags(ResourceArns=[arn], Tags=tag_list(res.tags))
        return live.outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "elasticloadbalancing:AddTags"):
            aws.client("elbv2").add_tags(ResourceArns=[live.outputs["arn"]], Tags=tag_list(res.tags))

    def delete(self, aws, res, live):
        # DeleteRule of a rule already gone is RuleNotFound (botocore elbv2 DeleteRule errors): a
        # rule on a listener destroy has just deleted with its load balancer, or a resent delete.
        try:
            with aws_call(res.label, "elasticloadbalancing:DeleteRule"):
                aws.client("elbv2").delete_rule(RuleArn=live.outputs["arn"])
        except Exception as exc:
            if getattr(exc, "code", "") not in ("RuleNotFound", "RuleNotFoundException"):
                raise


def _ours_by_listener(aws, res) -> dict[str, list]:
    """{listener ARN: rules} of this service's rules the plan's tagging-API index knows (tag_index.py),
    read in one DescribeRules by RuleArns (the same request for every rule of the service: the run's
    read cache answers it once). {} when the index knows none, or one of them is gone (the index lags
    behind a delete: DescribeRules fails RuleNotFound for the whole call): then each listener is listed."""
    arns = tag_index.arns_with(aws, res, "listener-rule")
    if not arns:
        return {}
    try:
        with aws_call(res.label, "elasticloadbalancing:DescribeRules"):
            rules = aws.client("elbv2").describe_rules(RuleArns=arns)["Rules"]
    except EcsshipError as exc:
        if getattr(exc, "code", "") in ("RuleNotFound", "RuleNotFoundException"):
            return {}
        raise
    out: dict[str, list] = {}
    for rule in rules:
        if not rule.get("IsDefault"):
            out.setdefault(_listener_of(rule["RuleArn"]), []).append(rule)
    return out


def _listener_of(rule_arn: str) -> str:
    """A rule's listener from the rule's ARN (ELB: `...:listener-rule/app/NAME/LB-ID/LISTENER-ID/RULE-ID`,
    the listener's `...:listener/app/NAME/LB-ID/LISTENER-ID`)."""
    return rule_arn.rsplit("/", 1)[0].replace(":listener-rule/", ":listener/", 1)
