"""ECS capacity provider of an `ec2` capacity entry: its Auto Scaling group with managed scaling (at the
target capacity), managed termination protection and managed draining.

botocore ecs: CreateCapacityProvider (autoScalingGroupProvider: autoScalingGroupArn, managedScaling,
managedTerminationProtection, managedDraining); UpdateCapacityProvider changes all but the group
(a new group is a new provider: replaced); DescribeCapacityProviders lists a deleted one as INACTIVE.
DeleteCapacityProvider refuses a provider a cluster still has ("The specified capacity provider is in
use"): delete first takes it off the cluster (PutClusterCapacityProviders with the others kept, the
default strategy without it); the cluster itself is shared and kept.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.deploy import clock as clocks
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, owned, tag_dict, tag_ecs, tag_list, while_role_propagates

UPDATABLE = ("managedScaling", "managedTerminationProtection", "managedDraining")


def normalise(provider: dict, tags: dict) -> dict:
    scaling = provider.get("managedScaling") or {}
    return {"autoScalingGroupArn": provider.get("autoScalingGroupArn"),
            "managedScaling": {"status": scaling.get("status", "DISABLED"), "targetCapacity": scaling.get("targetCapacity", 100)},
            "managedTerminationProtection": provider.get("managedTerminationProtection", "DISABLED"),
            "managedDraining": provider.get("managedDraining", "ENABLED"), "tags": tags}


class CapacityProviderReconciler(Reconciler):
    on_destroy = OnDestroy(note="taken off the cluster first (its other providers are kept)")
    kind = "capacity_provider"
    replace_fields = ("autoScalingGroupArn",)

    def read(self, aws, res, spec):
        with aws_call(res.label, "ecs:DescribeCapacityProviders"):
            found = aws.client("ecs").describe_capacity_providers(capacityProviders=[res.name], include=["TAGS"])["capacityProviders"]
        found = [p for p in found if p.get("status") == "ACTIVE"]
        if not found:
            return None
        provider = found[0]
        tags = tag_dict(provider.get("tags"), "key", "value")
        return Live(state=normalise(provider.get("autoScalingGroupProvider") or {}, tags),
                    outputs={"arn": provider["capacityProviderArn"], "name": res.name}, managed=owned(tags, res))

    def desired_state(self, res, spec, live=None):
        return normalise(spec, dict(res.tags))

    def create(self, aws, res, spec):
        def create():
            with aws_call(res.label, "ecs:CreateCapacityProvider"):
                return aws.client("ecs").create_capacity_provider(name=res.name, autoScalingGroupProvider=dict(spec),
                                                                  tags=tag_list(res.tags, "key", "value"))["capacityProvider"]

        # The first provider of an account makes ECS's service-linked role, which IAM may not have propagated.
        provider = while_role_propagates(create, clocks.clock_for(aws).sleep)
        return {"arn": provider["capacityProviderArn"], "name": res.name}

    def update(self, aws, res, spec, live, fields):
        paths = {f.path.split(".")[0] for f in fields}
        if paths & set(UPDATABLE):
            with aws_call(res.label, "ecs:UpdateCapacityProvider"):
                aws.client("ecs").update_capacity_provider(name=res.name, autoScalingGroupProvider={k: spec[k] for k in UPDATABLE})
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        tag_ecs(aws, res, live.outputs["arn"])

    def delete(self, aws, res, live):
        ecs = aws.client("ecs")
        cluster = res.tags.get("ecsship:cluster")
        with aws_call(f"ECS cluster {cluster}", "ecs:DescribeClusters"):
            found = [c for c in ecs.describe_clusters(clusters=[cluster])["clusters"] if c.get("status") == "ACTIVE"]
        if found and res.name in (found[0].get("capacityProviders") or []):
            kept = [p for p in found[0]["capacityProviders"] if p != res.name]
            strategy = [s for s in found[0].get("defaultCapacityProviderStrategy") or [] if s.get("capacityProvider") != res.name]
            with aws_call(f"ECS cluster {cluster}", "ecs:PutClusterCapacityProviders"):
                ecs.put_cluster_capacity_providers(cluster=cluster, capacityProviders=kept, defaultCapacityProviderStrategy=strategy)
        with aws_call(res.label, "ecs:DeleteCapacityProvider"):
            ecs.delete_capacity_provider(capacityProvider=res.name)
