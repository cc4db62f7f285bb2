"""IAM eventual consistency: a create that cannot assume a just-created role is retried; nothing else is."""
from __future__ import annotations

import pytest

from ecsship.errors import AwsCallError
from ecsship.reconcilers.base import while_role_propagates


def flaky(failures: int, code: str, message: str):
    calls = {"n": 0}

    def call():
        calls["n"] += 1
        if calls["n"] <= failures:
            raise AwsCallError("CodeDeploy deployment group g", "codedeploy:CreateDeploymentGroup", code, message)
        return "made"

    return call, calls


def test_retries_while_the_role_propagates():
    call, calls = flaky(2, "InvalidRoleException", "AWS CodeDeploy does not have the permissions required to assume the role")
    waits: list = []
    assert while_role_propagates(call, sleep=waits.append) == "made"
    assert calls["n"] == 3 and waits == [1.0, 2.0]


def test_other_errors_are_not_retried():
    call, calls = flaky(1, "InvalidParameterException", "subnets must be in the same VPC")
    with pytest.raises(AwsCallError):
        while_role_propagates(call, sleep=lambda _: None)
    assert calls["n"] == 1


def test_gives_up_after_bounded_attempts():
    call, calls = flaky(99, "InvalidParameterException", "Unable to assume role and validate the listeners")
    with pytest.raises(AwsCallError):
        while_role_propagates(call, sleep=lambda _: None, attempts=3)
    assert calls["n"] == 3
