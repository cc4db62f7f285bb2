"""deploy.health: the one reader of target health and alarm states (issue #14 item 3), shared by the
ECS and CodeDeploy trackers and `status`. Shapes from the botocore models: ELBv2 DescribeTargetHealth
`TargetHealthDescriptions[].TargetHealth.State`; CloudWatch DescribeAlarms `MetricAlarms[].StateValue`,
AlarmNames at most 100 items."""
from __future__ import annotations

from collections import Counter

from ecsship.deploy.health import alarm_states, group_name, health_counts, target_health

from tests.doubles import FakeAws

BLUE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/0123abcd"
GREEN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/4567ef01"


class Elb:
    def __init__(self, states):
        self.states, self.asked = states, []

    def describe_target_health(self, TargetGroupArn):
        self.asked.append(TargetGroupArn)
        return {"TargetHealthDescriptions": [{"TargetHealth": {"State": s}} for s in self.states[TargetGroupArn]]}


class Cloudwatch:
    def __init__(self):
        self.asked = []

    def describe_alarms(self, AlarmNames):
        self.asked.append(AlarmNames)
        return {"MetricAlarms": [{"AlarmName": n, "StateValue": "ALARM" if "5xx" in n else "OK"} for n in AlarmNames]}


def test_target_health_counts_each_group_once():
    elb = Elb({BLUE: ["healthy", "healthy", "draining"], GREEN: ["initial"]})
    found = target_health(FakeAws(elbv2=elb), [BLUE, GREEN, BLUE, None])
    assert found == {BLUE: Counter(healthy=2, draining=1), GREEN: Counter(initial=1)} and elb.asked == [BLUE, GREEN]


def test_health_counts_add_the_groups_up_in_a_stable_order():
    elb = Elb({BLUE: ["healthy", "unhealthy"], GREEN: ["healthy"]})
    assert health_counts(FakeAws(elbv2=elb), [BLUE, GREEN]) == (("healthy", 2), ("unhealthy", 1))


def test_no_groups_no_calls():
    assert target_health(FakeAws(), []) == {} and health_counts(FakeAws(), []) == ()


def test_alarm_states_sorted_and_at_most_100_names():
    cw = Cloudwatch()
    names = [f"web-{i:03d}" for i in range(120)] + ["web-5xx"]
    states = alarm_states(FakeAws(cloudwatch=cw), names)
    assert len(cw.asked[0]) == 100 and states[0] == ("web-000", "OK") and list(states) == sorted(states)
    assert alarm_states(FakeAws(cloudwatch=cw), []) == () and len(cw.asked) == 1


def test_group_name_of_an_arn():
    assert group_name(BLUE) == "web-blue" and group_name("tg-id") == "tg-id"
