"""ALB target group: ip targets over HTTP on the container port, health check, deregistration delay.

A change the API cannot make in place (a new port) is a create-before-delete (issue #12 item 8):
ELB refuses DeleteTargetGroup while a listener rule forwards to the group (ResourceInUse: "You can
delete a target group if it is not referenced by any actions", ELB API Reference), so the new group
is made under the alternate name (`names.replacement_target_group_name`), the rule and the service
move to it, and the old group is deleted at the end of the apply. A group is found under either name.

An adopted service keeps its own group (`load_balancer.target_group`, issue #16): `apply --adopt`
tags it and changes only what ModifyTargetGroup(Attributes) change in place (botocore elbv2
ModifyTargetGroup: "Modifies the health checks"); a group tagged for another ecsship service is never
taken over, --adopt or not.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.desired.names import replacement_target_group_name
from ecsship.reconcilers.base import (
    CLUSTER_KEY,
    OWNER_KEY,
    Live,
    OnDestroy,
    PlanProblem,
    Reconciler,
    check_known,
    converge_existing,
    owned,
    tag_list,
)
from ecsship.reconcilers.cache import cached, forget
from ecsship.reconcilers.elb_tags import tags_of

HEALTH_KEYS = ("HealthCheckProtocol", "HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds",
               "HealthyThresholdCount", "UnhealthyThresholdCount")
FIXED_KEYS = ("Protocol", "Port", "TargetType", "VpcId")
COMPARED = FIXED_KEYS + HEALTH_KEYS + ("Matcher", "deregistrationDelay")
NOT_COMPARED = ("siblings",)  # the pair's names, for reading; not a setting of the group


class TargetGroupReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "target_group"
    replace_fields = FIXED_KEYS

    def read(self, aws, res, spec):
        elb = aws.client("elbv2")
        groups = _groups(aws, res, spec)
        candidates = [groups[n] for n in (res.name, replacement_target_group_name(res.name)) if n in groups]
        if not candidates:
            return None
        # Both exist only when an apply stopped mid-replacement: the one already like the manifest wins.
        tg, tags = next((c for c in candidates if all(c[0].get(k) == spec.get(k) for k in FIXED_KEYS)), candidates[0])
        arn = tg["TargetGroupArn"]
        with aws_call(res.label, "elasticloadbalancing:DescribeTargetGroupAttributes"):
            attributes = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]}
        state = {k: tg.get(k) for k in FIXED_KEYS + HEALTH_KEYS}
        state["Matcher"] = {"HttpCode": (tg.get("Matcher") or {}).get("HttpCode")}
        state["deregistrationDelay"] = int(attributes.get("deregistration_delay.timeout_seconds", 300))
        state["tags"] = tags
        if OWNER_KEY in tags and not owned(tags, res):
            raise PlanProblem(f"{res.label} belongs to ecsship service {tags.get(CLUSTER_KEY)}/{tags[OWNER_KEY]}",
                              "a target group serves one service: name another one in load_balancer.target_group, or none")
        return Live(state=state, outputs={**_outputs(arn), "name": tg["TargetGroupName"]}, managed=owned(tags, res))

    def elb_tag_arns(self, aws, res, spec) -> list:
        return [g["TargetGroupArn"] for g in _described(aws, res, spec)]

    def desired_state(self, res, spec, live=None):
        check_known(spec, COMPARED + NOT_COMPARED, res.label)
        state = {k: spec[k] for k in FIXED_KEYS + HEALTH_KEYS}
        state["Matcher"] = dict(spec["Matcher"])
        state["deregistrationDelay"] = spec["deregistrationDelay"]
        state["tags"] = dict(res.tags)
        if spec.get("_keepPort") and live is not None:
            # ECS registers each task at its container port (the service's loadBalancers), which
            # overrides the group's (botocore elbv2 CreateTargetGroup.Port: "This port is used unless
            # you specify a port override when registering the target"): a group the manifest names
            # keeps its own, the console's 80 in front of a container on 8080 included.
            state["Port"] = live.state["Port"]
        return state

    def create(self, aws, res, spec, name: str | None = None):
        elb = aws.client("elbv2")
        kwargs = {k: spec[k] for k in FIXED_KEYS + HEALTH_KEYS}
        forget(aws, ("target_groups", _names(res, spec)))  # a converging read-back must see the new group
        try:
            with aws_call(res.label, "elasticloadbalancing:CreateTargetGroup"):
                arn = elb.create_target_group(Name=name or res.name, HealthCheckEnabled=True, Matcher=spec["Matcher"], Tags=tag_list(res.tags), **kwargs)["TargetGroups"][0]["TargetGroupArn"]
        except Exception as exc:
            if getattr(exc, "code", "") != "DuplicateTargetGroupName":
                raise
            return converge_existing(self, aws, res, spec, exc)
        self._attributes(aws, res, arn, spec)
        return {**_outputs(arn), "name": name or res.name}

    def update(self, aws, res, spec, live, fields):
        elb = aws.client("elbv2")
        arn = live.outputs["arn"]
        paths = {f.path.split(".")[0] for f in fields}
        if paths & set(HEALTH_KEYS + ("Matcher",)):
            with aws_call(res.label, "elasticloadbalancing:ModifyTargetGroup"):
                elb.modify_target_group(TargetGroupArn=arn, Matcher=spec["Matcher"], **{k: spec[k] for k in HEALTH_KEYS})
        if "deregistrationDelay" in paths:
            self._attributes(aws, res, arn, spec)
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def _attributes(self, aws, res, arn, spec):
        with aws_call(res.label, "elasticloadbalancing:ModifyTargetGroupAttributes"):
            aws.client("elbv2").modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
                {"Key": "deregistration_delay.timeout_seconds", "Value": str(spec["deregistrationDelay"])}])

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "elasticloadbalancing:AddTags"):
            aws.client("elbv2").add_tags(ResourceArns=[live.outputs["arn"]], Tags=tag_list(res.tags))

    def replace(self, aws, res, spec, live):
        old_name = live.outputs.get("name", res.name)
        new_name = res.name if old_name != res.name else replacement_target_group_name(res.name)
        return self.create(aws, res, spec, name=new_name)

    def finish_replace(self, aws, res, old):
        self.delete(aws, res, old)
        forget(aws, ("target_groups", _names(res, res.spec)))

    def delete(self, aws, res, live):
        with aws_call(res.label, "elasticloadbalancing:DeleteTargetGroup"):
            aws.client("elbv2").delete_target_group(TargetGroupArn=live.outputs["arn"])


def _names(res, spec) -> tuple:
    return tuple(sorted(set(spec.get("siblings") or []) | {res.name}))


def _groups(aws, res, spec) -> dict:
    """The service's target groups (blue and green together) with their tags: two calls for the pair,
    the tags often none of its own (the plan's batched DescribeTags, elb_tags.prefetch)."""
    groups = _described(aws, res, spec)
    tags = tags_of(aws, [g["TargetGroupArn"] for g in groups], res.label, res)
    return {g["TargetGroupName"]: (g, tags[g["TargetGroupArn"]]) for g in groups}


def _described(aws, res, spec) -> list:
    names = _names(res, spec)

    def fetch():
        elb = aws.client("elbv2")
        try:
            with aws_call(res.label, "elasticloadbalancing:DescribeTargetGroups"):
                return elb.describe_target_groups(Names=list(names))["TargetGroups"]
        except Exception as exc:
            if getattr(exc, "code", "") not in ("TargetGroupNotFound", "TargetGroupNotFoundException"):
                raise
        groups = []  # one of them is missing: AWS fails the whole call, so ask one by one
        for name in names:  # a missing group may live under its replacement name (see the module doc)
            for candidate in (name, replacement_target_group_name(name)):
                try:
                    with aws_call(f"target group {candidate}", "elasticloadbalancing:DescribeTargetGroups"):
                        groups += elb.describe_target_groups(Names=[candidate])["TargetGroups"]
                except Exception as inner:
                    if getattr(inner, "code", "") not in ("TargetGroupNotFound", "TargetGroupNotFoundException"):
                        raise
        return groups

    return cached(aws, ("target_groups", names), fetch)


def _outputs(arn: str) -> dict:
    return {"arn": arn, "full_name": arn.split(":")[-1]}
