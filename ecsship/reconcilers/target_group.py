"""ALB target group: ip targets over HTTP on the container port, health check, deregistration delay."""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.reconcilers.base import Live, Reconciler, converge_existing, owned, tag_dict, tag_list

HEALTH_KEYS = ("HealthCheckProtocol", "HealthCheckPath", "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds",
               "HealthyThresholdCount", "UnhealthyThresholdCount")
FIXED_KEYS = ("Protocol", "Port", "TargetType", "VpcId")


class TargetGroupReconciler(Reconciler):
    kind = "target_group"
    replace_fields = FIXED_KEYS

    def read(self, aws, res, spec):
        elb = aws.client("elbv2")
        try:
            with aws_call(res.label, "elasticloadbalancing:DescribeTargetGroups"):
                tg = elb.describe_target_groups(Names=[res.name])["TargetGroups"][0]
        except Exception as exc:
            if getattr(exc, "code", "") in ("TargetGroupNotFound", "TargetGroupNotFoundException"):
                return None
            raise
        arn = tg["TargetGroupArn"]
        with aws_call(res.label, "elasticloadbalancing:DescribeTags"):
            tags = tag_dict(elb.describe_tags(ResourceArns=[arn])["TagDescriptions"][0].get("Tags"))
        with aws_call(res.label, "elasticloadbalancing:DescribeTargetGroupAttributes"):
            attributes = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]}
        state = {k: tg.get(k) for k in FIXED_KEYS + HEALTH_KEYS}
        state["Matcher"] = {"HttpCode": (tg.get("Matcher") or {}).get("HttpCode")}
        state["deregistrationDelay"] = int(attributes.get("deregistration_delay.timeout_seconds", 300))
        state["tags"] = tags
        return Live(state=state, outputs=_outputs(arn), managed=owned(tags, res))

    def desired_state(self, res, spec, live=None):
        state = {k: spec[k] for k in FIXED_KEYS + HEALTH_KEYS}
        state["Matcher"] = dict(spec["Matcher"])
        state["deregistrationDelay"] = spec["deregistrationDelay"]
        state["tags"] = dict(res.tags)
        return state

    def create(self, aws, res, spec):
        elb = aws.client("elbv2")
        kwargs = {k: spec[k] for k in FIXED_KEYS + HEALTH_KEYS}
        try:
            with aws_call(res.label, "elasticloadbalancing:CreateTargetGroup"):
                arn = elb.create_target_group(Name=res.name, HealthCheckEnabled=True, Matcher=spec["Matcher"], Tags=tag_list(res.tags), **kwargs)["TargetGroups"][0]["TargetGroupArn"]
        except Exception as exc:
            if getattr(exc, "code", "") != "DuplicateTargetGroupName":
                raise
            return converge_existing(self, aws, res, spec, exc)
        self._attributes(aws, res, arn, spec)
        return _outputs(arn)

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

    def delete(self, aws, res, live):
        with aws_call(res.label, "elasticloadbalancing:DeleteTargetGroup"):
            aws.client("elbv2").delete_target_group(TargetGroupArn=live.outputs["arn"])


def _outputs(arn: str) -> dict:
    return {"arn": arn, "full_name": arn.split(":")[-1]}
