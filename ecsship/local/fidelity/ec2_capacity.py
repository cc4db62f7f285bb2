"""EC2 capacity behind ECS capacity providers: Auto Scaling groups of a launch template's instance types,
and their instance refresh (moto implements neither StartInstanceRefresh nor DescribeInstanceRefreshes,
and launches a mixed instances group's instances with no instance type).

- An instance of a mixed instances group has the first override's type (botocore autoscaling
  LaunchTemplateOverrides: "the instance types that can be launched"; moto's "prioritized" model picks
  the first).
- CreateLaunchTemplateVersion keeps UserData as the base64 text it was sent, as CreateLaunchTemplate
  does (moto stored it unwrapped, and launching from that version failed).
- StartInstanceRefresh (botocore autoscaling: "replaces instances in the group ... with new instances
  from the group's launch template"): the local AWS replaces every instance at once, with the group's
  `$Default` launch template version, and records the refresh as Successful (not modelled: the warm-up,
  MinHealthyPercentage batches, checkpoints). DescribeInstanceRefreshes lists them, newest first.
"""
from __future__ import annotations


def apply() -> None:
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import ActionResult

    def start_instance_refresh(self):
        from ecsship.local import runtime
        from ecsship.local.simulator import ids

        backend = self.autoscaling_backend
        name = self._get_param("AutoScalingGroupName")
        group = backend.autoscaling_groups[name]
        old = [state.instance.id for state in group.instance_states]
        if old:
            desired = group.desired_capacity  # moto's terminate detaches and decrements it
            backend.ec2_backend.terminate_instances(old)
            group.instance_states = [s for s in group.instance_states if s.instance.id not in old]
            group.set_desired_capacity(desired)
        name_type(group)
        refresh = {"InstanceRefreshId": ids.uuid(), "AutoScalingGroupName": name, "Status": "Successful",
                   "StartTime": runtime.now_dt(), "EndTime": runtime.now_dt(), "PercentageComplete": 100,
                   "InstancesToUpdate": 0, "Preferences": self._get_param("Preferences") or {}}
        refreshes = getattr(backend, "ecsship_refreshes", None)
        if refreshes is None:
            refreshes = backend.ecsship_refreshes = []
        refreshes.insert(0, refresh)
        return ActionResult({"InstanceRefreshId": refresh["InstanceRefreshId"]})

    def describe_instance_refreshes(self):
        name = self._get_param("AutoScalingGroupName")
        found = [r for r in getattr(self.autoscaling_backend, "ecsship_refreshes", []) if r["AutoScalingGroupName"] == name]
        return ActionResult({"InstanceRefreshes": found})

    AutoScalingResponse.start_instance_refresh = start_instance_refresh
    AutoScalingResponse.describe_instance_refreshes = describe_instance_refreshes
    _versions_keep_user_data()


def _versions_keep_user_data() -> None:
    from moto.core.types import Base64EncodedString
    from moto.ec2.models.launch_templates import LaunchTemplate

    original = LaunchTemplate.create_version

    def create_version(self, data, description):
        if isinstance(data.get("UserData"), str):
            data = {**data, "UserData": Base64EncodedString(data["UserData"])}
        return original(self, data, description)

    LaunchTemplate.create_version = create_version


def name_type(group) -> None:
    """Instances of a mixed instances group take the first override's type."""
    overrides = ((group.mixed_instances_policy or {}).get("LaunchTemplate") or {}).get("Overrides") or []
    if not overrides:
        return
    for state in group.instance_states:
        if not getattr(state.instance, "instance_type", ""):
            state.instance.instance_type = overrides[0].get("InstanceType", "")
