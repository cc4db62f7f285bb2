"""IAM roles: trust policy, one inline policy named `ecsship`, tags.

Generated policies are least privilege (see ecsship/desired/policies.py); no managed policy is attached.

IAM names are account-wide, regions are not (issue #12 item 12). Each role carries the tag
`ecsship:region`; a role of the plain name tagged with another region belongs to the same service's
deployment there, so this region uses `<name>-<region>` instead and never rewrites or deletes the
other region's role. A role made before the tag existed is claimed (tagged) by the first region
that applies; the other region then moves to its own regional role.
"""
from __future__ import annotations

import json
from functools import partial

from ecsship.aws import concurrency
from ecsship.aws.errors import aws_call, error_code
from ecsship.desired.names import regional_role_name
from ecsship.reconcilers.base import Live, OnDestroy, Reconciler, owned, policy_document, sorted_policy, tag_dict, tag_list

POLICY_NAME = "ecsship"
REGION_KEY = "ecsship:region"


def _tags(res, spec) -> dict:
    return {**res.tags, REGION_KEY: spec["region"]} if spec.get("region") else dict(res.tags)


def _get_role(aws, res, name: str) -> dict | None:
    try:
        with aws_call(f"IAM role {name}", "iam:GetRole"):
            return aws.client("iam").get_role(RoleName=name)["Role"]
    except Exception as exc:
        if getattr(exc, "code", "") == "NoSuchEntity":
            return None
        raise


def resolve_name(aws, res, spec) -> tuple[str, dict | None]:
    """(the name this region's role has or will have, the role if it exists)."""
    region = spec.get("region")
    plain = _get_role(aws, res, res.name)
    if not region:
        return res.name, plain
    regional = regional_role_name(res.name, region)
    theirs = plain is not None and owned(tag_dict(plain.get("Tags")), res) and tag_dict(plain.get("Tags")).get(REGION_KEY, region) != region
    if not theirs:
        return res.name, plain
    return regional, _get_role(aws, res, regional)


def _policy(aws, res, name: str) -> dict | None:
    """The role's inline policy (ecsship's), or None when it has none."""
    try:
        with aws_call(res.label, "iam:GetRolePolicy"):
            return aws.client("iam").get_role_policy(RoleName=name, PolicyName=POLICY_NAME)["PolicyDocument"]
    except Exception as exc:
        if getattr(exc, "code", "") != "NoSuchEntity":
            raise
        return None


def _policy_or_error(aws, res, name: str):
    """`_policy`, or the exception it raised (which counts only if the role exists)."""
    try:
        return _policy(aws, res, name)
    except Exception as exc:  # noqa: BLE001 - raised by the caller once it knows the role exists
        return exc


def _raised(value):
    if isinstance(value, Exception):
        raise value
    return value


class RoleReconciler(Reconciler):
    on_destroy = OnDestroy()
    kind = "role"

    def read(self, aws, res, spec):
        if concurrency.current() is not None and not res.key.startswith("orphan."):
            # Reads side by side (a plan): the policy of the usual name is asked beside GetRole, so a
            # converged role takes one round trip, not two (a role not made yet costs one NoSuchEntity).
            # Not for a leftover role: it is usually gone, and asking would cost every plan a call.
            (name, role), early = concurrency.gather([partial(resolve_name, aws, res, spec),
                                                      partial(_policy_or_error, aws, res, res.name)])
            if role is None:
                return None
            policy = _policy(aws, res, name) if name != res.name else _raised(early)
        else:
            name, role = resolve_name(aws, res, spec)
            if role is None:
                return None
            policy = _policy(aws, res, name)
        tags = tag_dict(role.get("Tags"))
        state = {"trust": sorted_policy(role.get("AssumeRolePolicyDocument")), "policy": sorted_policy(policy),
                 "description": role.get("Description") or "", "tags": tags}
        if "managedPolicies" in spec:
            state["managedPolicies"] = _attached(aws, res, name)
        note = f"{res.name} belongs to this service in another region: this region uses {name}" if name != res.name else ""
        return Live(state=state, outputs={"arn": role["Arn"], "name": name}, managed=owned(tags, res), note=note)

    def desired_state(self, res, spec, live=None):
        state = {"trust": sorted_policy(spec["trust"]), "policy": sorted_policy(spec["policy"]),
                 "description": spec["description"], "tags": _tags(res, spec)}
        if "managedPolicies" in spec:  # only the EC2 instance role has AWS managed policies
            state["managedPolicies"] = sorted(str(p) for p in spec["managedPolicies"])
        return state

    def create(self, aws, res, spec):
        iam = aws.client("iam")
        state = self.desired_state(res, spec)
        name, _ = resolve_name(aws, res, spec)
        try:
            with aws_call(f"IAM role {name}", "iam:CreateRole"):
                arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(policy_document(state["trust"])),
                                      Description=spec["description"], Tags=tag_list(state["tags"]))["Role"]["Arn"]
        except Exception as exc:
            if getattr(exc, "code", "") != "EntityAlreadyExists":
                raise
            # Created by an interrupted apply (ours: converge it), or by someone else between plan and
            # apply (not ours: the error stands, as for every other reconciler).
            live = self.read(aws, res, spec)
            if live is None or not live.managed:
                raise
            return self.update(aws, res, spec, live, [_All()])
        self._put_policy(aws, res, name, state["policy"])
        self._attach(aws, res, name, state.get("managedPolicies") or [], [])
        return {"arn": arn, "name": name}

    def update(self, aws, res, spec, live, fields):
        iam = aws.client("iam")
        state = self.desired_state(res, spec)
        name = live.outputs["name"]
        paths = {f.path.split(".")[0] for f in fields}
        everything = any(isinstance(f, _All) for f in fields)
        if everything or "trust" in paths:
            with aws_call(res.label, "iam:UpdateAssumeRolePolicy"):
                iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(policy_document(state["trust"])))
        if everything or "policy" in paths:
            self._put_policy(aws, res, name, state["policy"])
        if everything or "description" in paths:
            with aws_call(res.label, "iam:UpdateRole"):
                iam.update_role(RoleName=name, Description=spec["description"])
        if (everything or "managedPolicies" in paths) and "managedPolicies" in state:
            self._attach(aws, res, name, state["managedPolicies"], _attached(aws, res, name))
        if everything or "tags" in paths:
            self.adopt(aws, res, spec, live)
        return live.outputs

    def _attach(self, aws, res, name: str, wanted: list, attached: list) -> None:
        iam = aws.client("iam")
        for arn in sorted(set(wanted) - set(attached)):
            with aws_call(res.label, "iam:AttachRolePolicy"):
                iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        for arn in sorted(set(attached) - set(wanted)):
            with aws_call(res.label, "iam:DetachRolePolicy"):
                iam.detach_role_policy(RoleName=name, PolicyArn=arn)

    def adopt(self, aws, res, spec, live):
        with aws_call(res.label, "iam:TagRole"):
            aws.client("iam").tag_role(RoleName=live.outputs["name"], Tags=tag_list(_tags(res, spec)))

    def _put_policy(self, aws, res, name, canonical):
        iam = aws.client("iam")
        if canonical:
            with aws_call(res.label, "iam:PutRolePolicy"):
                iam.put_role_policy(RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy_document(canonical)))
            return
        try:
            with aws_call(res.label, "iam:DeleteRolePolicy"):
                iam.delete_role_policy(RoleName=name, PolicyName=POLICY_NAME)
        except Exception as exc:
            if getattr(exc, "code", "") != "NoSuchEntity":
                raise

    def delete(self, aws, res, live):
        iam = aws.client("iam")
        name = live.outputs.get("name", res.name)
        with aws_call(res.label, "iam:ListRolePolicies"):
            names = iam.list_role_policies(RoleName=name)["PolicyNames"]
        for policy in names:
            with aws_call(res.label, "iam:DeleteRolePolicy"):
                iam.delete_role_policy(RoleName=name, PolicyName=policy)
        # DeleteRole refuses a role with managed policies attached (DeleteConflict) or in an instance profile.
        if "managedPolicies" in res.spec:
            self._attach(aws, res, name, [], _attached(aws, res, name))
        with aws_call(res.label, "iam:DeleteRole"):
            try:
                iam.delete_role(RoleName=name)
            except Exception as exc:
                if error_code(exc) != "NoSuchEntity":
                    raise


def _attached(aws, res, name: str) -> list[str]:
    with aws_call(res.label, "iam:ListAttachedRolePolicies"):
        pages = aws.client("iam").get_paginator("list_attached_role_policies").paginate(RoleName=name)
        return sorted(p["PolicyArn"] for page in pages for p in page["AttachedPolicies"])


class _All:
    """Marker: rewrite every field (used when converging a role an interrupted apply created)."""

    path = "*"
