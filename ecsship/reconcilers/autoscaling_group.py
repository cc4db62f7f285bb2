"""EC2 Auto Scaling group of an `ec2` capacity entry: the launch template's `$Default` version over one or
more instance types (a mixed instances policy: On-Demand, or Spot with the capacity-optimised
allocation), in the task subnets, new instances protected from scale-in (ECS managed termination
protection needs it: botocore ecs AutoScalingGroupProvider.managedTerminationProtection).

DesiredCapacity is never sent after creation: the capacity provider's managed scaling owns it.
Delete (botocore autoscaling DeleteAutoScalingGroup: "the group must have no instances"): the scale-in
protection ECS set is lifted, the group scaled to zero (ECS managed draining moves tasks off each
instance before it terminates), then deleted once empty.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.deploy import clock as clocks
from ecsship.deploy.polling import Backoff, wait_for
from ecsship.errors import EcsshipError
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, note_progress, owned

DRAIN_TIMEOUT = 900.0


def normalise(group: dict, tags: dict) -> dict:
    mixed = group.get("MixedInstancesPolicy") or {}
    template = mixed.get("LaunchTemplate") or {}
    spec = template.get("LaunchTemplateSpecification") or {}
    dist = mixed.get("InstancesDistribution") or {}
    subnets = group.get("VPCZoneIdentifier") or []
    subnets = subnets.split(",") if isinstance(subnets, str) else subnets
    spot = dist.get("OnDemandPercentageAboveBaseCapacity", 100) < 100
    return {
        "MinSize": group.get("MinSize"), "MaxSize": group.get("MaxSize"),
        "VPCZoneIdentifier": sorted(s for s in subnets if s),
        "MixedInstancesPolicy": {
            "LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": spec.get("LaunchTemplateId"), "Version": spec.get("Version", "$Default")},
                               "Overrides": sorted(({"InstanceType": o["InstanceType"]} for o in template.get("Overrides") or []), key=lambda o: o["InstanceType"])},
            "InstancesDistribution": {"OnDemandPercentageAboveBaseCapacity": dist.get("OnDemandPercentageAboveBaseCapacity", 100),
                                      **({"SpotAllocationStrategy": dist.get("SpotAllocationStrategy")} if spot else {})}},
        "NewInstancesProtectedFromScaleIn": bool(group.get("NewInstancesProtectedFromScaleIn")),
        "CapacityRebalance": bool(group.get("CapacityRebalance")),
        "tags": tags,
    }


def _tags(res) -> list[dict]:
    # Propagated to the instances: they are ecsship's too.
    return [{"Key": k, "Value": v, "PropagateAtLaunch": True, "ResourceId": res.name, "ResourceType": "auto-scaling-group"}
            for k, v in sorted(res.tags.items())]


def _kwargs(spec: dict) -> dict:
    return {"MinSize": spec["MinSize"], "MaxSize": spec["MaxSize"], "VPCZoneIdentifier": ",".join(spec["VPCZoneIdentifier"]),
            "MixedInstancesPolicy": spec["MixedInstancesPolicy"], "NewInstancesProtectedFromScaleIn": spec["NewInstancesProtectedFromScaleIn"],
            "CapacityRebalance": spec["CapacityRebalance"]}


class AutoScalingGroupReconciler(Reconciler):
    on_destroy = OnDestroy(note="its instances are drained (ECS managed draining) and terminated first")
    kind = "autoscaling_group"

    def read(self, aws, res, spec):
        with aws_call(res.label, "autoscaling:DescribeAutoScalingGroups"):
            found = aws.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[res.name])["AutoScalingGroups"]
        if not found:
            return None
        group = found[0]
        all_tags = {t["Key"]: t["Value"] for t in group.get("Tags") or []}
        tags = {k: v for k, v in all_tags.items() if k in res.tags}  # ECS adds AmazonECSManaged: theirs
        return Live(state=normalise(group, tags), outputs={"arn": group["AutoScalingGroupARN"], "name": res.name},
                    managed=owned(all_tags, res), raw=group)

    def desired_state(self, res, spec, live=None):
        return normalise(_kwargs(spec), dict(res.tags))

    def create(self, aws, res, spec):
        autoscaling = aws.client("autoscaling")
        with aws_call(res.label, "autoscaling:CreateAutoScalingGroup"):
            autoscaling.create_auto_scaling_group(AutoScalingGroupName=res.name, Tags=_tags(res), **_kwargs(spec))
        live = self.read(aws, res, spec)
        return live.outputs

    def update(self, aws, res, spec, live, fields):
        autoscaling = aws.client("autoscaling")
        paths = {f.path.split(".")[0] for f in fields}
        if paths - {"tags"}:
            with aws_call(res.label, "autoscaling:UpdateAutoScalingGroup"):
                autoscaling.update_auto_scaling_group(AutoScalingGroupName=res.name, **_kwargs(spec))
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "autoscaling:CreateOrUpdateTags"):
            aws.client("autoscaling").create_or_update_tags(Tags=_tags(res))

    def delete(self, aws, res, live):
        autoscaling = aws.client("autoscaling")
        instances = [i["InstanceId"] for i in live.raw.get("Instances") or []]
        if instances:
            with aws_call(res.label, "autoscaling:SetInstanceProtection"):
                autoscaling.set_instance_protection(AutoScalingGroupName=res.name, InstanceIds=instances, ProtectedFromScaleIn=False)
        with aws_call(res.label, "autoscaling:UpdateAutoScalingGroup"):
            autoscaling.update_auto_scaling_group(AutoScalingGroupName=res.name, MinSize=0, MaxSize=0, DesiredCapacity=0)

        def empty(waited: float) -> bool | None:
            with aws_call(res.label, "autoscaling:DescribeAutoScalingGroups"):
                found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[res.name])["AutoScalingGroups"]
            left = len(found[0].get("Instances") or []) if found else 0
            if left:
                note_progress(f"{res.label}: {left} instance(s) draining ({int(waited)}s)")
            return True if not left else None

        def timed_out(waited: float) -> Exception:
            return EcsshipError(f"{res.label}: instances still running after {int(waited)} s", "run `ecsship destroy` again later to finish")

        wait_for(empty, Backoff(first=2.0, factor=1.5, cap=15.0), clocks.clock_for(aws).sleep, DRAIN_TIMEOUT, timed_out)
        with aws_call(res.label, "autoscaling:DeleteAutoScalingGroup"):
            autoscaling.delete_auto_scaling_group(AutoScalingGroupName=res.name)
