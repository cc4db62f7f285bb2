"""Endpoint policy drift compares normalised JSON (issue #22): AWS may return the document reformatted."""
from __future__ import annotations

import json

from ecsship.reconcilers.vpc_endpoints import ACCOUNT_ONLY, account_only_policy, policy_label


def test_the_same_policy_reformatted_is_not_drift():
    ours = json.loads(account_only_policy("123456789012"))
    statement = ours["Statement"][0]
    reformatted = {"Statement": {**statement, "Sid": "Renamed", "Action": ["*"], "Principal": {"AWS": "*"},
                                 "Condition": {"StringEquals": {"aws:PrincipalAccount": ["123456789012"]}}},
                   "Version": "2012-10-17"}
    assert policy_label(json.dumps(reformatted, indent=4), "123456789012") == ACCOUNT_ONLY


def test_another_account_or_an_open_policy_is_drift():
    assert policy_label(account_only_policy("999999999999"), "123456789012") != ACCOUNT_ONLY
    assert policy_label(json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
                        "123456789012") != ACCOUNT_ONLY
    assert policy_label(None, "123456789012") != ACCOUNT_ONLY
