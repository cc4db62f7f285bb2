"""STS AssumeRole as AWS answers it; moto assumes any ARN ("the role does not need to exist").

AWS (IAM User Guide, "Granting a user permissions to switch roles" and "How to use an external ID";
botocore sts AssumeRole): the role must exist and its trust policy must allow the caller, else
`AccessDenied: User: ARN is not authorized to perform: sts:AssumeRole on resource: ROLE`. A trust
policy statement with `Condition: {StringEquals: {sts:ExternalId: X}}` allows only a request that
passes ExternalId X. Modelled here: the role exists in the account its ARN names; some Allow
statement for sts:AssumeRole names an AWS principal of the caller's account (its id, its root ARN,
a principal ARN in it, or `*`) - a role that trusts only a service (ecs-tasks.amazonaws.com) cannot
be assumed by a user - and its sts:ExternalId condition, if any, matches.
"""
from __future__ import annotations

import json
from urllib.parse import unquote


def apply() -> None:
    from moto.sts.models import STSBackend

    original = STSBackend.assume_role

    def assume_role(self, region_name, role_session_name, role_arn, policy, duration, external_id):
        check_may_assume(self.account_id, role_arn, external_id)
        return original(self, region_name=region_name, role_session_name=role_session_name, role_arn=role_arn,
                        policy=policy, duration=duration, external_id=external_id)

    STSBackend.assume_role = assume_role


class AccessDenied(Exception):
    pass


def check_may_assume(caller_account: str, role_arn: str, external_id: str | None) -> None:
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError

    parts = role_arn.split(":")
    account = parts[4] if len(parts) > 5 else ""
    denied = STSClientError("AccessDenied", f"User: arn:aws:iam::{caller_account}:user/moto is not authorized to perform: "
                                            f"sts:AssumeRole on resource: {role_arn}")
    denied.code = "AccessDenied"
    try:
        role = iam_backends[account][parts[1]].get_role_by_arn(role_arn)
    except Exception:  # no such account or role: AWS says AccessDenied, never "no such role"
        raise denied from None
    if not trusts(role.assume_role_policy_document, caller_account, external_id):
        raise denied


def trusts(document: str, caller_account: str, external_id: str | None) -> bool:
    try:
        policy = json.loads(unquote(document) if document.lstrip().startswith("%") else document)
    except ValueError:
        return False
    statements = policy.get("Statement", [])
    for st in statements if isinstance(statements, list) else [statements]:
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if st.get("Effect") != "Allow" or not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        principal = st.get("Principal", {})
        aws = principal.get("AWS", []) if isinstance(principal, dict) else principal
        aws = [aws] if isinstance(aws, str) else aws
        if not any(p == "*" or p == caller_account or f":{caller_account}:" in p for p in aws):
            continue
        wanted = (st.get("Condition", {}).get("StringEquals", {}) or {}).get("sts:ExternalId")
        if wanted is None or external_id in ([wanted] if isinstance(wanted, str) else wanted):
            return True
    return False


def issued_access_key(key_id: str) -> bool:
    """True for temporary credentials this local STS issued (AssumeRole): `local up --auth` serves
    them as it serves the token, as AWS accepts the credentials its STS issued."""
    from moto.sts.models import sts_backends

    for account in list(sts_backends):
        for backend in sts_backends[account].values():
            if backend.get_assumed_role_from_access_key(key_id) is not None:
                return True
    return False
