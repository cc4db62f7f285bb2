"""desired.refs: references resolved from earlier resources' outputs."""
from __future__ import annotations

from ecsship.desired.output_refs import UNKNOWN, Concat, Ref, contains_unknown, is_unknown, lookup_in, refs_in, resolve

OUTPUTS = {"role.task": {"arn": "arn:aws:iam::1:role/t"}, "network": {"subnets": ["s-1", "s-2"], "vpc": "vpc-1"}}


def test_ref_prints_as_a_placeholder():
    assert str(Ref("role.task", "arn")) == "${role.task.arn}"


def test_resolve_replaces_refs_in_nested_values():
    value = {"role": Ref("role.task", "arn"), "net": {"vpc": Ref("network", "vpc")}, "n": 1}
    assert resolve(value, lookup_in(OUTPUTS)) == {"role": "arn:aws:iam::1:role/t", "net": {"vpc": "vpc-1"}, "n": 1}


def test_a_ref_to_a_list_is_spliced_into_the_surrounding_list():
    assert resolve(["s-0", Ref("network", "subnets")], lookup_in(OUTPUTS)) == ["s-0", "s-1", "s-2"]


def test_a_ref_to_a_resource_not_made_yet_is_unknown():
    assert resolve(Ref("role.execution", "arn"), lookup_in(OUTPUTS)) is UNKNOWN


def test_a_missing_attribute_is_unknown():
    assert resolve(Ref("role.task", "name"), lookup_in(OUTPUTS)) is UNKNOWN


def test_concat_joins_literals_and_refs():
    value = Concat((Ref("role.task", "arn"), "/suffix"))
    assert resolve(value, lookup_in(OUTPUTS)) == "arn:aws:iam::1:role/t/suffix"
    assert str(value) == "${role.task.arn}/suffix"


def test_concat_with_an_unknown_part_is_unknown():
    assert resolve(Concat(("x-", Ref("nope", "arn"))), lookup_in(OUTPUTS)) is UNKNOWN


def test_refs_in_finds_every_key_once():
    value = {"a": [Ref("x", "arn"), {"b": Ref("y", "id")}], "c": Concat((Ref("x", "name"), "-"))}
    assert refs_in(value) == {"x", "y"}


def test_refs_in_a_plain_value_is_empty():
    assert refs_in({"a": [1, "two"]}) == set()


def test_contains_unknown_looks_inside_containers():
    assert contains_unknown({"a": [1, {"b": UNKNOWN}]})
    assert not contains_unknown({"a": [1, {"b": 2}]})


def test_unknown_is_a_singleton_never_equal_to_anything():
    assert is_unknown(UNKNOWN) and UNKNOWN != UNKNOWN and repr(UNKNOWN) == "(known after apply)"
