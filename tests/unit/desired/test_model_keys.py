"""desired.builder.check_keys and the builder's explicit data flow (issue #14 item 4): a mistyped Ref
(its key or its attribute) fails when the model is built instead of being pruned without a word."""
from __future__ import annotations

from pathlib import Path

import pytest

from ecsship.desired import build
from ecsship.desired import resources as r
from ecsship.desired.builder import ModelError, _prune_and_order, check_keys, rollback_alarm_names
from ecsship.desired.output_refs import Concat, Ref
from ecsship.manifest.document import load_manifest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_a_ref_to_a_key_no_resource_can_have_is_an_error():
    role = r.Role(key="role.task", name="t", spec={"x": Ref("rol.execution", "arn")})
    with pytest.raises(ModelError, match=r"role.task: Ref\('rol.execution', 'arn'\) names no resource"):
        check_keys([role])


def test_a_ref_inside_a_concat_or_a_depends_on_is_checked_too():
    with pytest.raises(ModelError):
        check_keys([r.Role(key="role.task", name="t", spec={"x": Concat((Ref("clustr", "arn"), "/x"))})])
    with pytest.raises(ModelError, match="depends_on"):
        check_keys([r.Role(key="role.task", name="t", depends_on=("servise",))])


def test_a_key_starts_with_its_kind_and_is_unique():
    with pytest.raises(ModelError, match="starts with 'role'"):
        check_keys([r.Role(key="iam.task", name="t")])
    with pytest.raises(ModelError, match="two resources"):
        check_keys([r.Role(key="role.task", name="a"), r.Role(key="role.task", name="b")])
    check_keys([r.LoadBalancerLookup(key="alb", name="my-alb"), r.Network(key="alb_network", name="x")])


def test_a_ref_to_an_attribute_its_kind_does_not_output_is_an_error():
    """A mistyped attribute (`Ref("role.execution", "ar")`) would resolve to nothing at plan time;
    it fails when the model is built, naming the resource, the Ref and what that kind outputs."""
    role = r.Role(key="role.task", name="t", spec={"x": Ref("role.execution", "ar")})
    with pytest.raises(ModelError, match=r"role.task: Ref\('role.execution', 'ar'\): a role has no output 'ar' \(it has arn, name;"):
        check_keys([role])
    inside = r.Service(key="service", name="s", spec={"r": Concat((Ref("load_balancer", "fullname"), "/x"))})
    with pytest.raises(ModelError, match="a load_balancer has no output 'fullname'"):
        check_keys([inside])


def test_a_ref_to_a_pruned_resource_is_checked_by_its_key_root():
    """The test listener's rule may be absent from this model; its attribute is still checked."""
    rule = r.ListenerRule(key="listener_rule.prod", name="p", spec={"arns": [Ref("listener_rule.test", "id")]})
    with pytest.raises(ModelError, match="a listener_rule has no output 'id'"):
        _prune_and_order([rule])


def test_an_output_family_covers_its_members_only():
    check_keys([r.Service(key="service", name="s", spec={"l": Ref("alb", "listener:443"), "v": Ref("secrets", "value_from:DB")})])
    with pytest.raises(ModelError, match="no output 'listeners:443'"):
        check_keys([r.Service(key="service", name="s", spec={"l": Ref("alb", "listeners:443")})])


def test_every_kind_declares_its_outputs_and_key_roots_name_one_kind():
    roots = [root for cls in r.kinds().values() for root in (cls.kind, *cls.key_roots)]
    assert len(roots) == len(set(roots))
    assert [kind for kind, cls in r.kinds().items() if not cls.outputs] == []


def test_a_ref_to_a_resource_this_manifest_does_not_need_is_dropped():
    rule = r.ListenerRule(key="listener_rule.prod", name="p", spec={"arns": [Ref("listener_rule.test", "arn")]})
    (only,) = _prune_and_order([rule])
    assert only.spec == {"arns": []}


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if (p / "ecsship.yaml").exists()))
def test_the_shipped_examples_build(example):
    assert build(load_manifest(str(EXAMPLES / example / "ecsship.yaml"))).resources


def test_rollback_alarm_names_take_the_alarms_made_for_auto():
    made = [r.Alarm(key="alarm.5xx", name="web-5xx"), r.Alarm(key="alarm.p99-latency", name="web-p99")]
    assert rollback_alarm_names(["auto", "team-pager"], made) == ["team-pager", "web-5xx", "web-p99"]
    assert rollback_alarm_names(["team-pager"], made) == ["team-pager"]
    assert rollback_alarm_names([], made) == []
