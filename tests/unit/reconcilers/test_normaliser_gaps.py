"""Every normaliser fails on a desired field it does not compare (issue #14: normalisers are
allow-lists, so a field the builder starts sending would otherwise never show as drift). Each kind
checked here: the service, the listener rule, scaling, alarms, the log group, the security group
(the task definition and the target group: test_normalisers.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from ecsship.desired import build
from ecsship.desired.output_refs import resolve
from ecsship.manifest.document import load_manifest
from ecsship.reconcilers import reconciler_for
from ecsship.reconcilers.base import NormaliserGap

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
CHECKED = ("service", "listener_rule", "autoscaling", "alarm", "log_group", "security_group", "task_definition", "target_group")


def resolved(example: str, tmp_path=None, changes: tuple = ()) -> dict:
    """The example's managed resources by key (its text changed by `changes`, (old, new) pairs),
    with every Ref replaced by a stand-in value."""
    path = EXAMPLES / example / "ecsship.yaml"
    if changes:
        text = path.read_text()
        for old, new in changes:
            assert old in text
            text = text.replace(old, new)
        path = tmp_path / "ecsship.yaml"
        path.write_text(text)
    desired = build(load_manifest(str(path)))
    return {res.key: (res, resolve(res.spec, lambda ref: f"{ref.key}.{ref.attr}")) for res in desired.managed()}


def desired_state(res, spec):
    return reconciler_for(res.kind).desired_state(res, spec)


VARIANTS = {
    "web": ("web", ()),
    "worker": ("worker", ()),
    "codedeploy canary": ("bluegreen", ()),
    # ECS-native blue/green: advancedConfiguration with a test rule, a PAUSE hook, alarms on both groups.
    "ecs canary with approval": ("bluegreen", (("controller: codedeploy", "controller: ecs\n  approval: manual"),)),
    "scheduled scaling": ("bluegreen", (("  cpu: 60\n", "  cpu: 60\n  schedules: [{name: morning, cron: 'cron(0 8 * * ? *)', min: 4}]\n"),)),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_what_the_builder_sends_is_all_compared(variant, tmp_path):
    example, changes = VARIANTS[variant]
    kinds = set()
    for res, spec in resolved(example, tmp_path, changes).values():
        if res.kind in CHECKED:
            assert desired_state(res, spec) is not None
            kinds.add(res.kind)
    assert kinds >= {"service", "log_group", "security_group", "task_definition"}


def _with(spec: dict, path: tuple, extra: dict) -> dict:
    """A copy of `spec` with `extra` merged into the dict at `path` (an int picks a list item)."""
    if not path:
        return {**spec, **extra}
    head, rest = path[0], path[1:]
    if isinstance(spec, list):
        return [(_with(item, rest, extra) if i == head else item) for i, item in enumerate(spec)]
    return {**spec, head: _with(spec[head], rest, extra)}


@pytest.mark.parametrize("key, path, field", [
    ("service", (), "platformVersion"),
    ("service", ("networkConfiguration", "awsvpcConfiguration"), "ipv6"),
    ("service", ("loadBalancers", 0), "loadBalancerName"),
    ("service", ("deploymentConfiguration",), "bakeTime"),
    ("service", ("deploymentConfiguration", "deploymentCircuitBreaker"), "threshold"),
    ("service", ("capacityProviderStrategy", 0), "priority"),
    ("listener_rule.prod", (), "Actions"),
    ("listener_rule.prod", ("Conditions", 0), "HttpHeaderConfig"),
    ("autoscaling", (), "SuspendedState"),
    ("autoscaling", ("policies", "shop-checkout-api-cpu"), "CustomizedMetricSpecification"),
    ("alarm.5xx", (), "ThresholdMetricId"),
    ("alarm.5xx", ("Metrics", 0), "AccountId"),
    ("alarm.5xx", ("Metrics", 0, "MetricStat"), "Unit"),
    ("log_group", (), "kmsKeyId"),
    ("security_group.tasks", (), "ipv6Ingress"),
    ("security_group.tasks", ("ingress", 0), "cidr"),
])
def test_a_field_the_normaliser_does_not_compare_fails(key, path, field):
    res, spec = resolved("web")[key]
    with pytest.raises(NormaliserGap, match=f"{res.label}.*the normaliser does not compare {field}"):
        desired_state(res, _with(spec, path, {field: "x"}))


def test_schedules_and_lifecycle_hooks_are_checked_too(tmp_path):
    res, spec = resolved("web")["autoscaling"]
    schedule = {"Schedule": "cron(0 8 * * ? *)", "Timezone": "UTC", "ScalableTargetAction": {"MinCapacity": 2}}
    assert desired_state(res, {**spec, "schedules": {"morning": schedule}})
    with pytest.raises(NormaliserGap, match="schedule morning: the normaliser does not compare StartTime"):
        desired_state(res, {**spec, "schedules": {"morning": {**schedule, "StartTime": "2026-01-01"}}})
    svc, svc_spec = resolved("web")["service"]
    hooks = _with(svc_spec, ("deploymentConfiguration",), {"lifecycleHooks": [{"targetType": "PAUSE", "lifecycleStages": ["X"], "hookDetails": {}}]})
    with pytest.raises(NormaliserGap, match="lifecycle hook: the normaliser does not compare hookDetails"):
        desired_state(svc, hooks)


def test_ecsship_notes_are_not_fields():
    res, spec = resolved("web")["service"]
    assert desired_state(res, {**spec, "_note": "steers the reconciler, never sent"})
