"""Application Auto Scaling for the service: scalable target, target-tracking policies, schedules.

Policies and scheduled actions are ecsship's when their name starts with `<cluster>-<service>-`;
those the manifest no longer lists are deleted, anything else is left alone.
"""
from __future__ import annotations

from ecsship.aws.concurrency import gather
from ecsship.aws.errors import aws_call
from ecsship.deploy import clock as clocks
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, check_known, while_role_propagates

NS, DIM = "ecs", "ecs:service:DesiredCount"


POLICY_KEYS = ("TargetValue", "PredefinedMetricSpecification", "ScaleInCooldown", "ScaleOutCooldown", "DisableScaleIn")
SCHEDULE_KEYS = ("Schedule", "Timezone", "ScalableTargetAction")
NOT_COMPARED = ("ResourceId", "policyPrefix")  # which service it scales, and how its policies are named


def _policy_state(config: dict) -> dict:
    metric = dict(config.get("PredefinedMetricSpecification") or {})
    return {"TargetValue": float(config.get("TargetValue", 0)), "PredefinedMetricSpecification": metric,
            "ScaleInCooldown": config.get("ScaleInCooldown", 300), "ScaleOutCooldown": config.get("ScaleOutCooldown", 300),
            "DisableScaleIn": bool(config.get("DisableScaleIn", False))}


def _schedule_state(action: dict) -> dict:
    target = {k: v for k, v in (action.get("ScalableTargetAction") or {}).items() if v is not None}
    return {"Schedule": action.get("Schedule"), "Timezone": action.get("Timezone") or "UTC", "ScalableTargetAction": target}


def _bound(spec: dict, live, key: str) -> int:
    """The manifest's bound, or the live one when one of our scheduled actions could have set it:
    scheduled actions change MinCapacity/MaxCapacity by design ("Scheduled scaling for Application
    Auto Scaling": at the scheduled time the scalable target's capacity is updated), so a bound a
    schedule set is neither drift nor something apply undoes (issue #12 item 15)."""
    have = (live.state.get(key) if live is not None else None)
    scheduled = {a["ScalableTargetAction"].get(key) for a in spec.get("schedules", {}).values()}
    return have if have is not None and have in scheduled else spec[key]


class AutoscalingReconciler(Reconciler):
    on_destroy = OnDestroy(unmanaged="", only_with="service")  # its delete is scoped to our service already
    kind = "autoscaling"
    requires_ownership = False  # tied to the service, whose ownership is checked

    def read(self, aws, res, spec):
        client = aws.client("application-autoscaling")
        rid = spec["ResourceId"]
        with aws_call(res.label, "application-autoscaling:DescribeScalableTargets"):
            targets = client.describe_scalable_targets(ServiceNamespace=NS, ResourceIds=[rid], ScalableDimension=DIM)["ScalableTargets"]
        if not targets:
            return None
        prefix = spec["policyPrefix"] + "-"

        def policies_of():
            with aws_call(res.label, "application-autoscaling:DescribeScalingPolicies"):
                return client.describe_scaling_policies(ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)["ScalingPolicies"]

        def actions_of():
            with aws_call(res.label, "application-autoscaling:DescribeScheduledActions"):
                return client.describe_scheduled_actions(ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)["ScheduledActions"]

        policies, actions = gather([policies_of, actions_of])  # side by side (aws/concurrency.py)
        state = {
            "MinCapacity": targets[0]["MinCapacity"], "MaxCapacity": targets[0]["MaxCapacity"],
            "policies": {p["PolicyName"]: _policy_state(p.get("TargetTrackingScalingPolicyConfiguration") or {})
                         for p in policies if p["PolicyName"].startswith(prefix)},
            "schedules": {a["ScheduledActionName"]: _schedule_state(a) for a in actions if a["ScheduledActionName"].startswith(prefix)},
        }
        return Live(state=state, outputs={"resource_id": rid})

    def desired_state(self, res, spec, live=None):
        check_known(spec, ("MinCapacity", "MaxCapacity", "policies", "schedules") + NOT_COMPARED, res.label)
        for name, config in spec["policies"].items():
            check_known(config, POLICY_KEYS, f"{res.label} policy {name}")
        for name, action in spec["schedules"].items():
            check_known(action, SCHEDULE_KEYS, f"{res.label} schedule {name}")
        return {"MinCapacity": _bound(spec, live, "MinCapacity"), "MaxCapacity": _bound(spec, live, "MaxCapacity"),
                "policies": {name: _policy_state(cfg) for name, cfg in spec["policies"].items()},
                "schedules": {name: _schedule_state(a) for name, a in spec["schedules"].items()}}

    def create(self, aws, res, spec):
        empty = Live(state={"policies": {}, "schedules": {}}, outputs={"resource_id": spec["ResourceId"]})
        return self.update(aws, res, spec, empty, None)

    def update(self, aws, res, spec, live, fields):
        client = aws.client("application-autoscaling")
        rid = spec["ResourceId"]
        want = self.desired_state(res, spec)
        # A new target gets both bounds; an existing one only the bound that drifted, so a bound a
        # scheduled action set stays (RegisterScalableTarget updates only the capacities it is given).
        bounds = ("MinCapacity", "MaxCapacity") if fields is None else [f.path for f in fields if f.path in ("MinCapacity", "MaxCapacity")]
        if bounds:
            def register():
                with aws_call(res.label, "application-autoscaling:RegisterScalableTarget"):
                    client.register_scalable_target(ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM,
                                                    **{key: spec[key] for key in bounds})

            # The first registration makes Application Auto Scaling's service-linked role for ECS.
            while_role_propagates(register, clocks.clock_for(aws).sleep)
        have_policies = live.state.get("policies") or {}
        for name, config in want["policies"].items():
            if have_policies.get(name) != config:
                with aws_call(f"scaling policy {name}", "application-autoscaling:PutScalingPolicy"):
                    client.put_scaling_policy(PolicyName=name, ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM,
                                              PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration=spec["policies"][name])
        for name in set(have_policies) - set(want["policies"]):
            with aws_call(f"scaling policy {name}", "application-autoscaling:DeleteScalingPolicy"):
                client.delete_scaling_policy(PolicyName=name, ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)
        have_schedules = live.state.get("schedules") or {}
        for name, action in want["schedules"].items():
            if have_schedules.get(name) != action:
                with aws_call(f"scheduled action {name}", "application-autoscaling:PutScheduledAction"):
                    client.put_scheduled_action(ScheduledActionName=name, ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM,
                                                Schedule=action["Schedule"], Timezone=action["Timezone"],
                                                ScalableTargetAction=action["ScalableTargetAction"])
        for name in set(have_schedules) - set(want["schedules"]):
            with aws_call(f"scheduled action {name}", "application-autoscaling:DeleteScheduledAction"):
                client.delete_scheduled_action(ScheduledActionName=name, ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM)
        return {"resource_id": rid}

    def delete(self, aws, res, live):
        # Deregistering the target deletes its policies and scheduled actions with it.
        with aws_call(res.label, "application-autoscaling:DeregisterScalableTarget"):
            aws.client("application-autoscaling").deregister_scalable_target(ServiceNamespace=NS, ResourceId=res.spec["ResourceId"], ScalableDimension=DIM)
