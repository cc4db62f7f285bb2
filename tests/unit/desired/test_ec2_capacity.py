"""`ec2` capacity entries: what the builder makes (botocore ec2 CreateLaunchTemplate MetadataOptions
HttpTokens "required" = IMDSv2 only, Ebs.Encrypted; autoscaling MixedInstancesPolicy,
NewInstancesProtectedFromScaleIn; ecs CreateCapacityProvider managedScaling/managedTerminationProtection/
managedDraining, its name "can't be prefixed with aws, ecs, or fargate") and what validate refuses."""
from __future__ import annotations

import pytest

from ecsship.desired import build, names
from ecsship.desired.output_refs import Ref
from ecsship.errors import ManifestError
from ecsship.manifest import load_manifest
from ecsship.manifest.instance_types import AMI_PARAMETERS, ami_parameter, architecture, has_gpu

from tests.unit.desired.test_daemon_and_gpu import BASE, load


def ec2(types: str, extra: str = "") -> str:
    return f"platform: ec2\n{extra}capacity:\n  - ec2: {{instance_types: [{types}], min: 1, max: 4, spot: true, target_capacity: 80}}\n    weight: 2\n"


def test_an_ec2_entry_makes_template_group_provider_role_profile_and_group(tmp_path):
    desired = build(load(tmp_path, ec2("c7g.large, c6g.large", "architecture: arm64\n")))
    name = "shop-node-agent-ec2"
    template = desired.get("launch_template.0").spec
    assert template["MetadataOptions"]["HttpTokens"] == "required"
    assert template["BlockDeviceMappings"][0]["Ebs"] == {"VolumeSize": 30, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}
    assert "ECS_CLUSTER=shop" in template["UserData"] and template["ImageId"] == Ref("ami.0", "image_id")
    assert desired.get("ami.0").spec["parameter"] == AMI_PARAMETERS["arm64"]
    group = desired.get("autoscaling_group.0").spec
    assert [o["InstanceType"] for o in group["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"]] == ["c7g.large", "c6g.large"]
    assert group["MixedInstancesPolicy"]["InstancesDistribution"] == {"OnDemandPercentageAboveBaseCapacity": 0, "SpotAllocationStrategy": "capacity-optimized"}
    assert group["NewInstancesProtectedFromScaleIn"] and group["VPCZoneIdentifier"] == [Ref("network", "subnet_ids")]
    provider = desired.get("capacity_provider.0").spec
    assert provider["managedScaling"] == {"status": "ENABLED", "targetCapacity": 80}
    assert provider["managedTerminationProtection"] == provider["managedDraining"] == "ENABLED"
    assert desired.get("cluster").spec["capacityProviders"] == [name] and "capacity_provider.0" in desired.get("cluster").depends_on
    assert desired.get("service").spec["capacityProviderStrategy"] == [{"capacityProvider": name, "weight": 2, "base": 0}]
    role = desired.get("role.instance").spec
    assert [str(p).rsplit("/", 1)[-1] for p in role["managedPolicies"]] == ["AmazonEC2ContainerServiceforEC2Role", "AmazonSSMManagedInstanceCore"]
    assert desired.get("instance_profile").spec["role"] == Ref("role.instance", "name")
    assert desired.get("security_group.instances").spec["ingress"] == []


def test_the_ami_follows_the_instance_types_and_gpu():
    assert ami_parameter(["g5.xlarge"], gpu=True) == AMI_PARAMETERS["gpu"]
    assert ami_parameter(["m7i.large"], gpu=False) == AMI_PARAMETERS["x86_64"]
    assert [architecture(t) for t in ("c7g.large", "g5g.xlarge", "a1.large", "g5.xlarge", "m7i-flex.large")] == ["arm64", "arm64", "arm64", "x86_64", "x86_64"]
    assert [has_gpu(t) for t in ("g5.xlarge", "p4d.24xlarge", "gr6.4xlarge", "c7g.large", "inf2.xlarge")] == [True, True, True, False, False]


def test_provider_names_avoid_the_reserved_prefixes():
    assert names.ec2_capacity_name("shop", "web", 0) == "shop-web-ec2"
    assert names.ec2_capacity_name("shop", "web", 1) == "shop-web-ec2-2"
    assert names.ec2_capacity_name("ecs-prod", "web", 0) == "cp-ecs-prod-web-ec2"


@pytest.mark.parametrize("extra, field, message", [
    ("capacity:\n  - ec2: {instance_types: [c7g.large], max: 2}\n", "capacity[0].ec2", "ec2 capacity needs platform: ec2"),
    (ec2("c7g.large, c6i.large"), "capacity[0].ec2.instance_types", "instance types mix architectures: c7g.large (arm64), c6i.large (x86_64)"),
    (ec2("c7g.large"), "capacity[0].ec2.instance_types", "c7g.large is arm64 but the image is x86_64"),
    (ec2("c6i.large", "gpu: 1\n"), "capacity[0].ec2.instance_types", "gpu needs GPU instance types; c6i.large has none"),
    (ec2("g5g.xlarge", "gpu: 1\narchitecture: arm64\n"), "capacity[0].ec2.instance_types", "the ECS GPU AMI is x86_64 only"),
    ("platform: ec2\ncapacity:\n  - ec2: {instance_types: [c6i.large], min: 5, max: 2}\n", "capacity[0].ec2.min", "min (5) is greater than max (2)"),
    ("platform: ec2\ncapacity:\n  - {provider: mine, ec2: {instance_types: [c6i.large], max: 2}}\n", "capacity[0]", "either `provider`"),
])
def test_validate_refuses_ec2_capacity_aws_would_refuse_or_cannot_boot(tmp_path, extra, field, message):
    path = tmp_path / "ecsship.yaml"
    path.write_text(BASE + extra)
    with pytest.raises(ManifestError) as caught:
        load_manifest(str(path))
    found = [p for p in caught.value.problems if p.field == field and message in p.message]
    assert found, [(p.field, p.message) for p in caught.value.problems]
