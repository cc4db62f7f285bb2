"""IAM roles: trust policy, one inline policy named `ecsship`, tags.

Generated policies are least privilege (see ecsship/desired/policies.py); no managed policy is attached.
"""
from __future__ import annotations

import json

from ecsship.aws.errors import aws_call, error_code
from ecsship.reconcilers.base import Live, Reconciler, owned, policy_document, sorted_policy, tag_dict, tag_list

POLICY_NAME = "ecsship"


class RoleReconciler(Reconciler):
    kind = "role"

    def read(self, aws, res, spec):
        iam = aws.client("iam")
        try:
            with aws_call(res.label, "iam:GetRole"):
                role = iam.get_role(RoleName=res.name)["Role"]
        except Exception as exc:
            if getattr(exc, "code", "") == "NoSuchEntity":
                return None
            raise
        try:
            with aws_call(res.label, "iam:GetRolePolicy"):
                policy = iam.get_role_policy(RoleName=res.name, PolicyName=POLICY_NAME)["PolicyDocument"]
        except Exception as exc:
            if getattr(exc, "code", "") != "NoSuchEntity":
                raise
            policy = None
        tags = tag_dict(role.get("Tags"))
        state = {"trust": sorted_policy(role.get("AssumeRolePolicyDocument")), "policy": sorted_policy(policy),
                 "description": role.get("Description") or "", "tags": tags}
        return Live(state=state, outputs={"arn": role["Arn"], "name": res.name}, managed=owned(tags, res))

    def desired_state(self, res, spec, live=None):
        return {"trust": sorted_policy(spec["trust"]), "policy": sorted_policy(spec["policy"]),
                "description": spec["description"], "tags": dict(res.tags)}

    def create(self, aws, res, spec):
        iam = aws.client("iam")
        state = self.desired_state(res, spec)
        try:
            with aws_call(res.label, "iam:CreateRole"):
                arn = iam.create_role(RoleName=res.name, AssumeRolePolicyDocument=json.dumps(policy_document(state["trust"])),
                                      Description=spec["description"], Tags=tag_list(res.tags))["Role"]["Arn"]
        except Exception as exc:
            if getattr(exc, "code", "") != "EntityAlreadyExists":
                raise
            # Created by an apply that was interrupted: converge it like any existing role.
            live = self.read(aws, res, spec)
            return self.update(aws, res, spec, live, [_All()])
        self._put_policy(aws, res, state["policy"])
        return {"arn": arn, "name": res.name}

    def update(self, aws, res, spec, live, fields):
        iam = aws.client("iam")
        state = self.desired_state(res, spec)
        paths = {f.path.split(".")[0] for f in fields}
        everything = any(isinstance(f, _All) for f in fields)
        if everything or "trust" in paths:
            with aws_call(res.label, "iam:UpdateAssumeRolePolicy"):
                iam.update_assume_role_policy(RoleName=res.name, PolicyDocument=json.dumps(policy_document(state["trust"])))
        if everything or "policy" in paths:
            self._put_policy(aws, res, state["policy"])
        if everything or "description" in paths:
            with aws_call(res.label, "iam:UpdateRole"):
                iam.update_role(RoleName=res.name, Description=spec["description"])
        if everything or "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "iam:TagRole"):
            aws.client("iam").tag_role(RoleName=res.name, Tags=tag_list(res.tags))

    def _put_policy(self, aws, res, canonical):
        iam = aws.client("iam")
        if canonical:
            with aws_call(res.label, "iam:PutRolePolicy"):
                iam.put_role_policy(RoleName=res.name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy_document(canonical)))
            return
        try:
            with aws_call(res.label, "iam:DeleteRolePolicy"):
                iam.delete_role_policy(RoleName=res.name, PolicyName=POLICY_NAME)
        except Exception as exc:
            if getattr(exc, "code", "") != "NoSuchEntity":
                raise

    def delete(self, aws, res, live):
        iam = aws.client("iam")
        with aws_call(res.label, "iam:ListRolePolicies"):
            names = iam.list_role_policies(RoleName=res.name)["PolicyNames"]
        for name in names:
            with aws_call(res.label, "iam:DeleteRolePolicy"):
                iam.delete_role_policy(RoleName=res.name, PolicyName=name)
        with aws_call(res.label, "iam:DeleteRole"):
            try:
                iam.delete_role(RoleName=res.name)
            except Exception as exc:
                if error_code(exc) != "NoSuchEntity":
                    raise


class _All:
    """Marker: rewrite every field (used when converging a role an interrupted apply created)."""

    path = "*"
