"""EFS volumes (issue #17): the file system and access point a volume mounts, read and verified.

botocore efs DescribeFileSystems / DescribeAccessPoints (an access point names its FileSystemId),
DescribeMountTargets and DescribeMountTargetSecurityGroups ("Returns the security groups currently in
effect for a mount target"). ecsship owns neither the file system nor its security groups: when no
mount target's group lets the tasks' security group in on NFS (TCP 2049, EFS User Guide "Using VPC
security groups"), the plan says what to open instead of changing a group it does not own.
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.errors import AwsCallError
from ecsship.reconcilers.base import Live, OnDestroy, PlanProblem, Reconciler

NFS_PORT = 2049


def _described(spec: dict, what: str, action: str, not_found: str, describe):
    """What `describe` reads; the manifest's problem (not an AWS error) when `what` does not exist."""
    try:
        with aws_call(what, f"elasticfilesystem:{action}"):
            return describe()
    except AwsCallError as exc:
        if exc.code == not_found:
            raise PlanProblem(f"volumes.{spec['volume']}: {what} not found", "check the id and the region") from None
        raise


class EfsLookup(Reconciler):
    on_destroy = OnDestroy()  # a lookup: never changed or deleted

    def read(self, aws, res, spec):
        efs = aws.client("efs")
        fs_id, ap_id = spec["file_system"], spec["access_point"]
        fs = _described(spec, f"EFS file system {fs_id}", "DescribeFileSystems", "FileSystemNotFound",
                        lambda: efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0])
        ap = _described(spec, f"EFS access point {ap_id}", "DescribeAccessPoints", "AccessPointNotFound",
                        lambda: efs.describe_access_points(AccessPointId=ap_id)["AccessPoints"][0])
        if ap.get("FileSystemId") != fs_id:
            raise PlanProblem(f"volumes.{spec['volume']}: access point {ap_id} belongs to {ap.get('FileSystemId')}, not {fs_id}",
                              "name the access point of this file system")
        with aws_call(f"EFS file system {fs_id}", "elasticfilesystem:DescribeMountTargets"):
            targets = efs.describe_mount_targets(FileSystemId=fs_id).get("MountTargets", [])
        groups: set = set()
        for target in targets:
            with aws_call(f"EFS mount target {target['MountTargetId']}", "elasticfilesystem:DescribeMountTargetSecurityGroups"):
                groups.update(efs.describe_mount_target_security_groups(MountTargetId=target["MountTargetId"]).get("SecurityGroups", []))
        warnings = self._access_warnings(aws, spec, fs_id, sorted(groups), bool(targets))
        return Live(state={}, outputs={"file_system_arn": fs["FileSystemArn"], "access_point_arn": ap["AccessPointArn"],
                                       "mount_target_security_groups": sorted(groups), "warnings": warnings})

    def _access_warnings(self, aws, spec, fs_id: str, groups: list, has_targets: bool) -> list[str]:
        where = f"volumes.{spec['volume']}"
        if not has_targets:
            return [f"{where}: EFS file system {fs_id} has no mount target: tasks cannot mount it (create one in each task subnet's AZ)"]
        tasks_group = self._tasks_group(aws, spec["tasks_group"])
        if tasks_group and groups and self._lets_in(aws, groups, tasks_group):
            return []
        source = spec["tasks_group"] + (f" ({tasks_group})" if tasks_group else ", once created")
        # Said, not done: the mount targets' groups are not ecsship's to change.
        return [f"{where}: {fs_id} mount targets ({', '.join(groups) or 'no security group'}) keep the tasks out: "
                f"open TCP {NFS_PORT} from {source}"]

    def _tasks_group(self, aws, name: str) -> str | None:
        with aws_call(f"security group {name}", "ec2:DescribeSecurityGroups"):
            found = aws.client("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}]).get("SecurityGroups", [])
        return found[0]["GroupId"] if found else None

    def _lets_in(self, aws, groups: list, source: str) -> bool:
        with aws_call(f"security groups {', '.join(groups)}", "ec2:DescribeSecurityGroups"):
            described = aws.client("ec2").describe_security_groups(GroupIds=groups).get("SecurityGroups", [])
        for group in described:
            for perm in group.get("IpPermissions", []):
                covers = perm.get("IpProtocol") == "-1" or (
                    perm.get("IpProtocol") == "tcp" and perm.get("FromPort", 0) <= NFS_PORT <= perm.get("ToPort", 65535))
                if covers and any(pair.get("GroupId") == source for pair in perm.get("UserIdGroupPairs", [])):
                    return True
        return False
