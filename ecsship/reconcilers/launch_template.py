"""EC2 launch template of an `ec2` capacity entry: AMI, instance profile, security group, IMDSv2,
user data joining the cluster, encrypted root volume.

botocore ec2: DescribeLaunchTemplates answers InvalidLaunchTemplateName.NotFoundException for a missing
name; a template's content lives in versions (DescribeLaunchTemplateVersions `$Default`); a change is a
new version (CreateLaunchTemplateVersion) made the default (ModifyLaunchTemplate DefaultVersion), which
the Auto Scaling group uses (`$Default`) for new instances. Running instances keep the old AMI: a new
ImageId starts the group's instance refresh (autoscaling StartInstanceRefresh), which replaces them
while keeping `MinHealthyPercentage` of the capacity in service; the ECS capacity provider's managed
draining moves their tasks first.
"""
from __future__ import annotations

import base64

from ecsship.aws.errors import aws_call
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, owned, tag_dict, tag_list

REFRESH_MIN_HEALTHY = 90


def normalise(data: dict) -> dict:
    """The comparable shape of launch template data, the same for the spec and for AWS's answer."""
    meta = data.get("MetadataOptions") or {}
    return {
        "ImageId": data.get("ImageId"),
        "IamInstanceProfile": {"Arn": (data.get("IamInstanceProfile") or {}).get("Arn")},
        "SecurityGroupIds": sorted(data.get("SecurityGroupIds") or []),
        "MetadataOptions": {"HttpTokens": meta.get("HttpTokens", "optional"), "HttpEndpoint": meta.get("HttpEndpoint", "enabled"),
                            "HttpPutResponseHopLimit": meta.get("HttpPutResponseHopLimit", 1)},
        "UserData": data.get("UserData") or "",
        "BlockDeviceMappings": sorted(
            ({"DeviceName": b["DeviceName"], "Ebs": {k: (b.get("Ebs") or {}).get(k) for k in ("VolumeSize", "VolumeType", "Encrypted", "DeleteOnTermination")}}
             for b in data.get("BlockDeviceMappings") or []), key=lambda b: b["DeviceName"]),
    }


def api_data(spec: dict) -> dict:
    """The LaunchTemplateData to send: user data is base64 (botocore ec2 RequestLaunchTemplateData.UserData)."""
    data = {k: v for k, v in spec.items() if not k.startswith("_")}
    data["UserData"] = base64.b64encode(spec["UserData"].encode()).decode()
    return data


class LaunchTemplateReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "launch_template"

    def read(self, aws, res, spec):
        ec2 = aws.client("ec2")
        try:
            with aws_call(res.label, "ec2:DescribeLaunchTemplates"):
                template = ec2.describe_launch_templates(LaunchTemplateNames=[res.name])["LaunchTemplates"][0]
        except Exception as exc:
            if getattr(exc, "code", "") in ("InvalidLaunchTemplateName.NotFoundException", "InvalidLaunchTemplateId.NotFound"):
                return None
            raise
        with aws_call(res.label, "ec2:DescribeLaunchTemplateVersions"):
            version = ec2.describe_launch_template_versions(LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Default"])["LaunchTemplateVersions"][0]
        data = dict(version["LaunchTemplateData"])
        if data.get("UserData"):
            data["UserData"] = base64.b64decode(data["UserData"]).decode(errors="replace")
        tags = tag_dict(template.get("Tags"))
        return Live(state={**normalise(data), "tags": tags}, managed=owned(tags, res),
                    outputs={"id": template["LaunchTemplateId"], "name": res.name, "version": version["VersionNumber"]})

    def desired_state(self, res, spec, live=None):
        return {**normalise(spec), "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        with aws_call(res.label, "ec2:CreateLaunchTemplate"):
            template = aws.client("ec2").create_launch_template(
                LaunchTemplateName=res.name, LaunchTemplateData=api_data(spec),
                TagSpecifications=[{"ResourceType": "launch-template", "Tags": tag_list(res.tags)}])["LaunchTemplate"]
        return {"id": template["LaunchTemplateId"], "name": res.name, "version": template.get("DefaultVersionNumber", 1)}

    def update(self, aws, res, spec, live, fields):
        ec2 = aws.client("ec2")
        paths = {f.path.split(".")[0] for f in fields}
        outputs = dict(live.outputs)
        if paths - {"tags"}:
            with aws_call(res.label, "ec2:CreateLaunchTemplateVersion"):
                version = ec2.create_launch_template_version(LaunchTemplateId=live.outputs["id"], LaunchTemplateData=api_data(spec))
            number = version["LaunchTemplateVersion"]["VersionNumber"]
            with aws_call(res.label, "ec2:ModifyLaunchTemplate"):
                ec2.modify_launch_template(LaunchTemplateId=live.outputs["id"], DefaultVersion=str(number))
            outputs["version"] = number
            if "ImageId" in paths:
                refresh(aws, res, spec["_group"])
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "ec2:CreateTags"):
            aws.client("ec2").create_tags(Resources=[live.outputs["id"]], Tags=tag_list(res.tags))

    def delete(self, aws, res, live):
        with aws_call(res.label, "ec2:DeleteLaunchTemplate"):
            aws.client("ec2").delete_launch_template(LaunchTemplateId=live.outputs["id"])


def refresh(aws, res, group: str) -> None:
    """Replace the group's instances with ones of the new default version (no-op without instances)."""
    autoscaling = aws.client("autoscaling")
    with aws_call(f"Auto Scaling group {group}", "autoscaling:DescribeAutoScalingGroups"):
        found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]
    if not found or not found[0].get("Instances"):
        return
    with aws_call(f"Auto Scaling group {group}", "autoscaling:StartInstanceRefresh"):
        autoscaling.start_instance_refresh(AutoScalingGroupName=group, Strategy="Rolling", Preferences={
            "MinHealthyPercentage": REFRESH_MIN_HEALTHY, "SkipMatching": True,
            # ECS managed termination protection keeps instances with tasks protected from scale-in; the
            # default ("Wait") would wait an hour for that to lift and fail. "Refresh" replaces them, and
            # managed draining moves their tasks first (botocore autoscaling RefreshPreferences).
            "ScaleInProtectedInstances": "Refresh"})
