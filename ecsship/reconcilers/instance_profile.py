"""IAM instance profile of the EC2 container instances: holds the instance role.

botocore iam: GetInstanceProfile (NoSuchEntity when missing) lists its Roles and Tags; an instance
profile holds at most one role (AddRoleToInstanceProfile: "LimitExceeded" for a second); DeleteInstanceProfile
needs the role removed first (DeleteConflict).
"""
from __future__ import annotations

from ecsship.aws.errors import aws_call
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, owned, tag_dict, tag_list


class InstanceProfileReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "instance_profile"

    def read(self, aws, res, spec):
        try:
            with aws_call(res.label, "iam:GetInstanceProfile"):
                profile = aws.client("iam").get_instance_profile(InstanceProfileName=res.name)["InstanceProfile"]
        except Exception as exc:
            if getattr(exc, "code", "") == "NoSuchEntity":
                return None
            raise
        tags = tag_dict(profile.get("Tags"))
        roles = [r["RoleName"] for r in profile.get("Roles") or []]
        return Live(state={"role": roles[0] if roles else None, "tags": tags}, outputs={"arn": profile["Arn"], "name": res.name},
                    managed=owned(tags, res), raw={"roles": roles})

    def desired_state(self, res, spec, live=None):
        return {"role": spec["role"], "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        iam = aws.client("iam")
        with aws_call(res.label, "iam:CreateInstanceProfile"):
            arn = iam.create_instance_profile(InstanceProfileName=res.name, Tags=tag_list(res.tags))["InstanceProfile"]["Arn"]
        with aws_call(res.label, "iam:AddRoleToInstanceProfile"):
            iam.add_role_to_instance_profile(InstanceProfileName=res.name, RoleName=spec["role"])
        return {"arn": arn, "name": res.name}

    def update(self, aws, res, spec, live, fields):
        iam = aws.client("iam")
        paths = {f.path.split(".")[0] for f in fields}
        if "role" in paths:
            for role in live.raw["roles"]:
                with aws_call(res.label, "iam:RemoveRoleFromInstanceProfile"):
                    iam.remove_role_from_instance_profile(InstanceProfileName=res.name, RoleName=role)
            with aws_call(res.label, "iam:AddRoleToInstanceProfile"):
                iam.add_role_to_instance_profile(InstanceProfileName=res.name, RoleName=spec["role"])
        if "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "iam:TagInstanceProfile"):
            aws.client("iam").tag_instance_profile(InstanceProfileName=res.name, Tags=tag_list(res.tags))

    def delete(self, aws, res, live):
        iam = aws.client("iam")
        for role in live.raw["roles"]:
            with aws_call(res.label, "iam:RemoveRoleFromInstanceProfile"):
                iam.remove_role_from_instance_profile(InstanceProfileName=res.name, RoleName=role)
        with aws_call(res.label, "iam:DeleteInstanceProfile"):
            iam.delete_instance_profile(InstanceProfileName=res.name)
