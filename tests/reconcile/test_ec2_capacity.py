"""`ec2` capacity on the local AWS, one journey: apply, read back every owned piece, the service on it,
re-plan to nothing, an AMI change rolled out by an instance refresh, destroy leaving the cluster's other
providers. botocore: ec2 CreateLaunchTemplate (MetadataOptions.HttpTokens required, BlockDeviceMappings
Ebs.Encrypted), autoscaling CreateAutoScalingGroup (MixedInstancesPolicy, NewInstancesProtectedFromScaleIn),
ecs CreateCapacityProvider (managedScaling, managedTerminationProtection, managedDraining),
PutClusterCapacityProviders; ssm GetParameter on the public ECS-optimised AMI parameters."""
from __future__ import annotations

import base64

from tests.deploy.test_e2e import applied
from tests.unit.desired.test_builder import EXAMPLES

GPU_AMI = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"
X86_AMI = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"


def test_owned_ec2_capacity_applies_runs_the_service_refreshes_and_destroys(run_cli, aws, tmp_path):
    ecs, ssm = aws.client("ecs"), aws.client("ssm")
    ecs.create_cluster(clusterName="shop", capacityProviders=["FARGATE"])  # someone else's provider, to be kept
    text = (EXAMPLES / "gpu-worker" / "ecsship.yaml").read_text()
    manifest = tmp_path / "ecsship.yaml"
    manifest.write_text(text)
    svc = applied(run_cli, aws, str(manifest), "trainer")

    [group] = aws.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["shop-trainer-ec2"])["AutoScalingGroups"]
    overrides = group["MixedInstancesPolicy"]["LaunchTemplate"]["Overrides"]
    assert [o["InstanceType"] for o in overrides] == ["g5.xlarge", "g4dn.xlarge"]
    assert group["NewInstancesProtectedFromScaleIn"] and (group["MinSize"], group["MaxSize"]) == (1, 8)
    assert sorted(group["VPCZoneIdentifier"].split(",")) == sorted(svc["networkConfiguration"]["awsvpcConfiguration"]["subnets"])
    ec2 = aws.client("ec2")
    version = ec2.describe_launch_template_versions(LaunchTemplateName="shop-trainer-ec2", Versions=["$Default"])["LaunchTemplateVersions"][0]
    data = version["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True and data["BlockDeviceMappings"][0]["Ebs"]["VolumeSize"] == 60
    assert data["ImageId"] == ssm.get_parameter(Name=GPU_AMI)["Parameter"]["Value"]
    assert "ECS_CLUSTER=shop" in base64.b64decode(data["UserData"]).decode()
    [provider] = ecs.describe_capacity_providers(capacityProviders=["shop-trainer-ec2"])["capacityProviders"]
    managed = provider["autoScalingGroupProvider"]
    assert managed["managedScaling"]["status"] == "ENABLED" and managed["managedScaling"]["targetCapacity"] == 90
    assert managed["managedTerminationProtection"] == "ENABLED" and managed["managedDraining"] == "ENABLED"
    assert sorted(ecs.describe_clusters(clusters=["shop"])["clusters"][0]["capacityProviders"]) == ["FARGATE", "shop-trainer-ec2"]
    assert svc["capacityProviderStrategy"] == [{"capacityProvider": "shop-trainer-ec2", "weight": 1, "base": 0}]
    [instance] = ecs.list_container_instances(cluster="shop")["containerInstanceArns"]  # the group's instance joined
    [task] = ecs.describe_tasks(cluster="shop", tasks=ecs.list_tasks(cluster="shop", serviceName="trainer")["taskArns"])["tasks"]
    assert task["containerInstanceArn"] == instance and task["capacityProviderName"] == "shop-trainer-ec2"
    assert run_cli("plan", "-f", str(manifest), "--detailed-exitcode").exit_code == 0

    manifest.write_text(text.replace("gpu: 1 ", "# no gpu "))  # another AMI: the plain x86_64 one
    planned = run_cli("plan", "-f", str(manifest))
    assert "~ launch template shop-trainer-ec2" in planned.stdout and "instance refresh" in planned.stdout
    assert run_cli("apply", "-f", str(manifest), "--yes", "--no-wait").exit_code == 0
    refreshes = aws.client("autoscaling").describe_instance_refreshes(AutoScalingGroupName="shop-trainer-ec2")["InstanceRefreshes"]
    assert len(refreshes) == 1 and refreshes[0]["Preferences"]["ScaleInProtectedInstances"] == "Refresh"  # protected by ECS
    new_ami = ssm.get_parameter(Name=X86_AMI)["Parameter"]["Value"]
    instances = [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"] if i["State"]["Name"] == "running"]
    assert [i["ImageId"] for i in instances] == [new_ami]

    assert run_cli("destroy", "-f", str(manifest), "--yes").exit_code == 0
    assert aws.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=["shop-trainer-ec2"])["AutoScalingGroups"] == []
    assert ec2.describe_launch_templates()["LaunchTemplates"] == []
    assert [p["status"] for p in ecs.describe_capacity_providers(capacityProviders=["shop-trainer-ec2"])["capacityProviders"]] in ([], ["INACTIVE"])
    assert ecs.describe_clusters(clusters=["shop"])["clusters"][0]["capacityProviders"] == ["FARGATE"]
    assert aws.client("iam").list_instance_profiles()["InstanceProfiles"] == []
