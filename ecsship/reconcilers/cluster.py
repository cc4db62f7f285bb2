"""ECS cluster: Container Insights and capacity providers.

A cluster ecsship did not create is used as is: only the capacity providers the manifest names
are attached (never detached), and the plan says so.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.deploy import clock as clocks
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, owned, tag_dict, tag_ecs, tag_list, while_role_propagates


class ClusterReconciler(Reconciler):
    on_destroy = OnDestroy(keep="shared by the services in it")
    kind = "cluster"
    requires_ownership = False  # clusters are shared; an existing one is used, not adopted

    def read(self, aws, res, spec):
        with aws_call(res.label, "ecs:DescribeClusters"):
            found = aws.client("ecs").describe_clusters(clusters=[res.name], include=["SETTINGS", "TAGS"])["clusters"]
        found = [c for c in found if c.get("status") == "ACTIVE"]
        if not found:
            return None
        cluster = found[0]
        tags = tag_dict(cluster.get("tags"), "key", "value")
        settings = {s["name"]: s["value"] for s in cluster.get("settings") or []}
        providers = sorted(cluster.get("capacityProviders") or [])
        mine = owned(tags, res)
        state = {"capacityProviders": sorted(set(providers) & set(spec["capacityProviders"]))}
        if mine:
            state.update(containerInsights=settings.get("containerInsights", "disabled"), tags=tags)
        arn = cluster["clusterArn"]
        return Live(state=state, outputs=_outputs(arn, res.name), managed=mine,
                    raw={"providers": providers, "default_strategy": cluster.get("defaultCapacityProviderStrategy") or []},
                    note="" if mine else _shared_note(tags))

    def desired_state(self, res, spec, live=None):
        state = {"capacityProviders": sorted(spec["capacityProviders"])}
        if live is None or live.managed:
            state.update(containerInsights=spec["containerInsights"], tags=dict(res.tags))
        return state

    def create(self, aws, res, spec):
        kwargs = dict(clusterName=res.name, settings=[{"name": "containerInsights", "value": spec["containerInsights"]}],
                      tags=tag_list(res.tags, "key", "value"))
        if spec["capacityProviders"]:
            kwargs["capacityProviders"] = spec["capacityProviders"]
        def create():
            with aws_call(res.label, "ecs:CreateCluster"):
                return aws.client("ecs").create_cluster(**kwargs)["cluster"]["clusterArn"]

        # With capacity providers, CreateCluster makes the ECS service-linked role and may answer
        # "Unable to assume the service linked role" until IAM has propagated it.
        arn = while_role_propagates(create, clocks.clock_for(aws).sleep)
        return _outputs(arn, res.name)

    def update(self, aws, res, spec, live, fields):
        ecs = aws.client("ecs")
        paths = {f.path.split(".")[0] for f in fields}
        if "containerInsights" in paths:
            with aws_call(res.label, "ecs:UpdateClusterSettings"):
                ecs.update_cluster_settings(cluster=res.name, settings=[{"name": "containerInsights", "value": spec["containerInsights"]}])
        if "capacityProviders" in paths:
            # Attach ours, keep whatever else is attached (other services may use it).
            providers = sorted(set(live.raw["providers"]) | set(spec["capacityProviders"]))
            def attach():
                with aws_call(res.label, "ecs:PutClusterCapacityProviders"):
                    ecs.put_cluster_capacity_providers(cluster=res.name, capacityProviders=providers,
                                                       defaultCapacityProviderStrategy=live.raw["default_strategy"])

            while_role_propagates(attach, clocks.clock_for(aws).sleep)
        if "tags" in paths:
            tag_ecs(aws, res, live.outputs["arn"])
        return live.outputs

    def delete(self, aws, res, live):
        # Clusters are shared between services: destroy leaves them (see docs/plan-apply.md).
        return None


def _outputs(arn: str, name: str) -> dict:
    return {"arn": arn, "name": name,
            "service_arn_prefix": arn.replace(":cluster/", ":service/") + "/",
            "task_set_prefix": arn.replace(":cluster/", ":task-set/") + "/"}


def _shared_note(tags: dict) -> str:
    """A cluster is shared: one ecsship created for another service is not "not created by ecsship"."""
    creator = tags.get("ecsship:service")
    if creator:
        return f"cluster created by ecsship for service {creator}: shared, used as is (only capacity providers are attached)"
    return "existing cluster not created by ecsship: used as is (only capacity providers are attached)"
