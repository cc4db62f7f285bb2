"""Target health and alarm states, read one way for the two deploy trackers and `ecsship status`.

ELBv2 DescribeTargetHealth: TargetHealthDescriptions[].TargetHealth.State (initial, healthy,
unhealthy, unused, draining, unavailable, ...). CloudWatch DescribeAlarms with AlarmNames (at most
100 names): MetricAlarms[].StateValue (OK, ALARM, INSUFFICIENT_DATA).
"""
from __future__ import annotations

from collections import Counter

from ecsship.aws.errors import aws_call

MAX_ALARM_NAMES = 100  # DescribeAlarms: AlarmNames "Maximum number of 100 items"


def group_name(arn: str) -> str:
    """`arn:...:targetgroup/web-blue/0123abcd` -> `web-blue` (an id passes through)."""
    return arn.rsplit("/", 2)[-2] if arn.count("/") >= 2 else arn


def target_health(aws, arns) -> dict[str, Counter]:
    """{target group ARN: Counter of target states}, one DescribeTargetHealth per distinct group."""
    out: dict[str, Counter] = {}
    arns = list(dict.fromkeys(a for a in arns if a))
    if not arns:
        return out
    elb = aws.client("elbv2")
    for arn in arns:
        with aws_call(f"target group {group_name(arn)}", "elbv2:DescribeTargetHealth"):
            resp = elb.describe_target_health(TargetGroupArn=arn)
        out[arn] = Counter(t.get("TargetHealth", {}).get("State", "unknown") for t in resp.get("TargetHealthDescriptions", []))
    return out


def health_counts(aws, arns) -> tuple:
    """The target states of all the groups together: sorted ((state, count), ...)."""
    total: Counter = Counter()
    for counts in target_health(aws, arns).values():
        total.update(counts)
    return tuple(sorted(total.items()))


def alarm_states(aws, names) -> tuple:
    """Sorted ((alarm name, state), ...) of the first 100 names; () when there are none."""
    if not names:
        return ()
    with aws_call("deployment alarms", "cloudwatch:DescribeAlarms"):
        resp = aws.client("cloudwatch").describe_alarms(AlarmNames=list(names)[:MAX_ALARM_NAMES])
    return tuple(sorted((a["AlarmName"], a.get("StateValue", "")) for a in resp.get("MetricAlarms", [])))
