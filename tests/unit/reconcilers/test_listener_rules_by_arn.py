"""The service's listener rules the plan's tagging-API index knows are read in one DescribeRules by
RuleArns (issue #20 item 2; botocore elbv2 DescribeRules: "Describes the specified rules or the rules
for the specified listener. You must specify either a listener or rules."). Our rule at the wanted
priority is the only one there (priorities are unique on a listener), so its listener needs no listing;
otherwise, or when the index lags behind a delete (DescribeRules fails RuleNotFound for the whole
call), each listener is listed as before."""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ecsship.desired import resources as r
from ecsship.reconcilers import tag_index
from ecsship.reconcilers.base import PlanProblem
from ecsship.reconcilers.listener_rule import ListenerRuleReconciler

TAGS = {"ecsship:service": "api", "ecsship:cluster": "shop"}
LB = "arn:aws:elasticloadbalancing:us-east-1:111122223333:%s/app/main/lb1/%s"
PROD, TEST = LB % ("listener", "l443"), LB % ("listener", "l8443")
PROD_RULE, TEST_RULE = LB % ("listener-rule", "l443/r1"), LB % ("listener-rule", "l8443/r2")
GROUP = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/shop-api-blue/1"


def _rule(arn, priority):
    return {"RuleArn": arn, "Priority": str(priority), "IsDefault": False,
            "Conditions": [{"Field": "host-header", "Values": ["api.example.com"]}],
            "Actions": [{"Type": "forward", "TargetGroupArn": GROUP}]}


class FakeElb:
    def __init__(self, live):
        self.live, self.requests = live, []  # live: {listener: [rules]}

    def describe_rules(self, RuleArns=None, ListenerArn=None):
        self.requests.append(("RuleArns", tuple(RuleArns)) if RuleArns else ("ListenerArn", ListenerArn))
        every = [rule for rules in self.live.values() for rule in rules]
        if RuleArns:
            found = [rule for rule in every if rule["RuleArn"] in RuleArns]
            if len(found) != len(RuleArns):
                raise ClientError({"Error": {"Code": "RuleNotFound", "Message": "gone"}}, "DescribeRules")
            return {"Rules": found}
        return {"Rules": self.live[ListenerArn]}

    def get_paginator(self, name):
        elb = self

        class Pages:
            def paginate(self, ListenerArn):
                return [elb.describe_rules(ListenerArn=ListenerArn)]

        return Pages()

    def describe_tags(self, ResourceArns):
        self.requests.append(("DescribeTags", tuple(ResourceArns)))
        return {"TagDescriptions": [{"ResourceArn": a, "Tags": []} for a in ResourceArns]}


class FakeTagging:
    def __init__(self, arns):
        self.arns = arns

    def get_paginator(self, name):
        return self

    def paginate(self, **kwargs):
        return [{"ResourceTagMappingList": [{"ResourceARN": a, "Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()]}
                                            for a in self.arns]}]


class FakeCalls:
    writes: list = []


class FakeAws:
    def __init__(self, live, indexed):
        self.elb, self.tagging, self.calls = FakeElb(live), FakeTagging(indexed), FakeCalls()

    def client(self, name):
        return self.elb if name == "elbv2" else self.tagging


def _read(aws, listener, priority):
    res = r.ListenerRule(key="listener_rule", name="api", tags=dict(TAGS), spec={})
    spec = {"ListenerArn": listener, "listeners": [PROD, TEST], "Priority": priority, "targetGroupArn": GROUP,
            "Conditions": [{"Field": "host-header", "Values": ["api.example.com"]}]}
    tag_index.open_for_plan(aws, TAGS)
    return ListenerRuleReconciler().read(aws, res, spec)


def test_rules_the_index_knows_at_their_priority_are_one_describe_rules_and_no_listing():
    aws = FakeAws({PROD: [_rule(PROD_RULE, 100)], TEST: [_rule(TEST_RULE, 10)]}, [PROD_RULE, TEST_RULE])
    assert _read(aws, PROD, 100).outputs["arn"] == PROD_RULE
    assert aws.elb.requests == [("RuleArns", (PROD_RULE, TEST_RULE))]


def test_a_moved_priority_or_a_rule_gone_from_under_the_index_lists_the_listener():
    moved = FakeAws({PROD: [_rule(PROD_RULE, 90), _rule(LB % ("listener-rule", "l443/other"), 100)], TEST: [_rule(TEST_RULE, 10)]},
                    [PROD_RULE, TEST_RULE])
    with pytest.raises(PlanProblem, match="priority 100 is taken"):
        _read(moved, PROD, 100)  # someone else's (untagged) rule holds 100: only a listing can tell
    assert ("ListenerArn", PROD) in moved.elb.requests
    gone = FakeAws({PROD: [_rule(PROD_RULE, 100)], TEST: []}, [PROD_RULE, TEST_RULE])
    assert _read(gone, PROD, 100).outputs["arn"] == PROD_RULE
    assert [kind for kind, _ in gone.elb.requests if kind != "DescribeTags"] == ["RuleArns", "ListenerArn", "ListenerArn"]
