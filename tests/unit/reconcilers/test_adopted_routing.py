"""Issue #16: which live target group and listener rule a service may adopt (reads only, a fake ELB).
An untagged rule at the service's priority whose one action forwards to the service's own group is
the service's to adopt; a rule or group tagged for another ecsship service never is, --adopt or not.
botocore elbv2 DescribeRules: "Describes the specified rules or the rules for the specified listener";
DescribeTags returns each resource's tags; target group names are "unique per region per account"."""
from __future__ import annotations

import pytest

from ecsship.desired import resources as r
from ecsship.reconcilers.base import PlanProblem
from ecsship.reconcilers.listener_rule import ListenerRuleReconciler
from ecsship.reconcilers.target_group import TargetGroupReconciler

TAGS = {"ecsship:service": "web", "ecsship:cluster": "legacy"}
OTHER = [{"Key": "ecsship:service", "Value": "api"}, {"Key": "ecsship:cluster", "Value": "legacy"}]
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy-web-tg/0123456789abcdef"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/main/1/2"


class FakeElb:
    def __init__(self, rule_actions, tags):
        self.rule = {"RuleArn": "arn:rule/1", "Priority": "10", "IsDefault": False, "Actions": rule_actions,
                     "Conditions": [{"Field": "host-header", "Values": ["web.example.com"]}]}
        self.tags = tags

    def describe_tags(self, ResourceArns):
        return {"TagDescriptions": [{"ResourceArn": a, "Tags": self.tags} for a in ResourceArns]}

    def get_paginator(self, name):
        rule = self.rule

        class Pages:
            def paginate(self, ListenerArn):
                return [{"Rules": [rule]}]
        return Pages()

    def describe_target_groups(self, Names):
        return {"TargetGroups": [{"TargetGroupName": "legacy-web-tg", "TargetGroupArn": TG, "Protocol": "HTTP", "Port": 8080}]}

    def describe_target_group_attributes(self, TargetGroupArn):
        return {"Attributes": []}


class FakeAws:
    def __init__(self, elb):
        self.elb = elb
        self.calls = type("Calls", (), {"writes": []})()

    def client(self, name, region=None):
        assert name == "elbv2"
        return self.elb


def rule_spec(**over):
    return {"ListenerArn": LISTENER, "Priority": 10, "listeners": [LISTENER], "targetGroupArn": TG,
            "targetGroupName": "legacy-web-tg", "pair": None, "Conditions": [], **over}


def read_rule(actions, tags=(), **over):
    res = r.ListenerRule(key="listener_rule.prod", name="web on :443", tags=TAGS, spec={})
    return ListenerRuleReconciler().read(FakeAws(FakeElb(actions, list(tags))), res, rule_spec(**over))


def test_an_untagged_rule_forwarding_to_the_services_group_is_read_as_not_yet_managed():
    live = read_rule([{"Type": "forward", "TargetGroupArn": TG}])
    assert live is not None and live.managed is False and live.state["forward"] == [TG]
    # Before the group's ARN is known (no --adopt: its read failed), the name still says whose it is.
    assert read_rule([{"Type": "forward", "TargetGroupArn": TG}], targetGroupArn=None).managed is False


def test_a_rule_of_another_service_or_to_another_group_stays_a_plan_error():
    with pytest.raises(PlanProblem, match="taken by legacy/api"):
        read_rule([{"Type": "forward", "TargetGroupArn": TG}], OTHER)
    other = TG.replace("legacy-web-tg", "someone-else")
    with pytest.raises(PlanProblem, match="forwarding to someone-else") as taken:
        read_rule([{"Type": "forward", "TargetGroupArn": other}])
    assert "load_balancer.target_group: someone-else" in taken.value.hint


def test_a_named_group_keeps_its_own_port_and_ecsships_own_group_does_not():
    """botocore elbv2 CreateTargetGroup.Port: "This port is used unless you specify a port override
    when registering the target"; ECS registers each task at the service's containerPort."""
    res = r.TargetGroup(key="target_group", name="legacy-web-tg", tags=TAGS, spec={})
    spec = {"Protocol": "HTTP", "Port": 8080, "TargetType": "ip", "VpcId": "vpc-1", "HealthCheckProtocol": "HTTP",
            "HealthCheckPath": "/", "HealthCheckIntervalSeconds": 30, "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 5,
            "UnhealthyThresholdCount": 2, "Matcher": {"HttpCode": "200"}, "deregistrationDelay": 300, "siblings": ["legacy-web-tg"]}
    live = TargetGroupReconciler().read(FakeAws(FakeElb([], [])), res, spec)
    live.state["Port"] = 80
    assert TargetGroupReconciler().desired_state(res, {**spec, "_keepPort": True}, live)["Port"] == 80
    assert TargetGroupReconciler().desired_state(res, {**spec, "_keepPort": False}, live)["Port"] == 8080


def test_a_target_group_tagged_for_another_service_is_never_adopted():
    res = r.TargetGroup(key="target_group", name="legacy-web-tg", tags=TAGS, spec={})
    with pytest.raises(PlanProblem, match="belongs to ecsship service legacy/api"):
        TargetGroupReconciler().read(FakeAws(FakeElb([], OTHER)), res, {"siblings": ["legacy-web-tg"]})
    untagged = TargetGroupReconciler().read(FakeAws(FakeElb([], [])), res, {"siblings": ["legacy-web-tg"]})
    assert untagged is not None and untagged.managed is False
