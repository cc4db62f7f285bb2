"""The execution role may read exactly the secrets the manifest references: no more, no wildcard."""
from __future__ import annotations

import pytest

from tests.reliability.helpers import EXAMPLES, clean_snapshot

pytestmark = pytest.mark.reliability


def test_execution_role_names_exactly_the_referenced_secrets(aws, run_cli):
    clean_snapshot(aws, run_cli, "web")  # cached: usually no apply here
    assert run_cli("apply", "--no-wait", "-f", EXAMPLES["web"], "--yes").exit_code == 0
    sm = aws.client("secretsmanager")
    wanted_secrets = {sm.describe_secret(SecretId="shop/checkout/db")["ARN"],
                      "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf"}
    wanted_parameters = {"arn:aws:ssm:us-east-1:123456789012:parameter/shop/checkout/feature-token"}
    policy = aws.client("iam").get_role_policy(RoleName="shop-checkout-api-exec", PolicyName="ecsship")["PolicyDocument"]
    granted_secrets, granted_parameters = set(), set()
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if any(a.startswith("secretsmanager:") for a in actions):
            granted_secrets |= set(resources)
        if any(a.startswith("ssm:") for a in actions):
            granted_parameters |= set(resources)
    assert granted_secrets == wanted_secrets, policy
    assert granted_parameters == wanted_parameters, policy
    assert not any("secretsmanager:" in str(s["Action"]) or "ssm:" in str(s["Action"]) for s in
                   aws.client("iam").get_role_policy(RoleName="shop-checkout-api-task", PolicyName="ecsship")["PolicyDocument"]["Statement"])
