"""EC2 capacity for `ecsship cost` (cost/observed.ec2_groups): capacity provider -> Auto Scaling group ->
instance type, size and Spot share (botocore ecs DescribeCapacityProviders, autoscaling
DescribeAutoScalingGroups `MixedInstancesPolicy`, ec2 DescribeLaunchTemplateVersions), then priced."""
from __future__ import annotations

from ecsship.cost.estimate import estimate
from ecsship.cost.observed import ec2_groups
from ecsship.cost.prices import for_region
from ecsship.cost.shape import ServiceShape

from tests.doubles import FakeAws


class Ecs:
    def describe_capacity_providers(self, capacityProviders):
        return {"capacityProviders": [{"name": p, "autoScalingGroupProvider": {
            "autoScalingGroupArn": f"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x:autoScalingGroupName/{p}-asg"}}
            for p in capacityProviders]}

    def describe_clusters(self, clusters):
        return {"clusters": [{"defaultCapacityProviderStrategy": [{"capacityProvider": "general"}]}]}


class Autoscaling:
    def describe_auto_scaling_groups(self, AutoScalingGroupNames):
        name = AutoScalingGroupNames[0]
        if name.startswith("spot"):
            return {"AutoScalingGroups": [{"MinSize": 2, "MaxSize": 6, "MixedInstancesPolicy": {
                "LaunchTemplate": {"Overrides": [{"InstanceType": "m6i.large"}]},
                "InstancesDistribution": {"OnDemandPercentageAboveBaseCapacity": 25}}}]}
        return {"AutoScalingGroups": [{"MinSize": 1, "MaxSize": 3, "LaunchTemplate": {"LaunchTemplateId": "lt-1", "Version": "$Latest"}}]}


class Ec2:
    def describe_launch_template_versions(self, Versions, LaunchTemplateId):
        return {"LaunchTemplateVersions": [{"LaunchTemplateData": {"InstanceType": "t3.large"}}]}


def test_capacity_providers_to_priced_instances():
    aws = FakeAws(ecs=Ecs(), autoscaling=Autoscaling(), ec2=Ec2())
    shape = ServiceShape("api", "shop", launch="ec2", capacity=(("spot-cp", 0, 1),))
    groups = ec2_groups(aws, shape)
    assert groups == [{"provider": "spot-cp", "instance_type": "m6i.large", "min": 2, "max": 6, "spot_share": 0.75}]
    item = next(i for i in estimate(shape, for_region("us-east-1"), {"ec2": groups}) if i.kind == "ec2")
    per = 0.096 * 730 * (1 - 0.75 * 0.60)
    assert abs(item.monthly_min - 2 * per) < 0.01 and abs(item.monthly_max - 6 * per) < 0.01 and "75% Spot" in item.basis
    default = ec2_groups(aws, ServiceShape("api", "shop", launch="ec2"))  # the cluster's default strategy
    assert default == [{"provider": "general", "instance_type": "t3.large", "min": 1, "max": 3, "spot_share": 0.0}]
    assert ec2_groups(aws, ServiceShape("api", "shop", capacity=(("FARGATE", 1, 1),))) == []
