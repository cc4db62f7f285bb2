"""plan.diff: field-level comparison of normalised desired and live states."""
from __future__ import annotations

from ecsship.desired.output_refs import UNKNOWN
from ecsship.plan.diff import diff, flatten


def paths(changes):
    return [c.path for c in changes]


def test_flatten_turns_nested_dicts_into_dotted_paths():
    assert flatten({"a": {"b": 1, "c": {"d": 2}}, "e": 3}) == {"a.b": 1, "a.c.d": 2, "e": 3}


def test_flatten_keeps_lists_whole():
    assert flatten({"a": [1, {"b": 2}]}) == {"a": [1, {"b": 2}]}


def test_flatten_keeps_an_empty_dict_as_a_value():
    assert flatten({"a": {}}) == {"a": {}}


def test_equal_states_have_no_changes():
    state = {"cpu": "256", "env": [{"name": "A", "value": "1"}], "tags": {"team": "x"}}
    assert diff(state, dict(state)) == []


def test_a_changed_leaf_is_one_change_with_old_and_new():
    (change,) = diff({"cfg": {"max": 200, "min": 100}}, {"cfg": {"max": 150, "min": 100}})
    assert (change.path, change.old, change.new) == ("cfg.max", 150, 200)


def test_changes_come_sorted_by_path():
    assert paths(diff({"b": 1, "a": 1}, {"b": 2, "a": 2})) == ["a", "b"]


def test_unknown_always_shows_as_a_change():
    (change,) = diff({"roleArn": UNKNOWN}, {"roleArn": "arn:aws:iam::1:role/x"})
    assert change.new is UNKNOWN


def test_tags_others_added_are_not_drift():
    assert diff({"tags": {"team": "x"}}, {"tags": {"team": "x", "aws:cloudformation:stack": "s"}}) == []


def test_a_tag_we_want_changed_is_drift():
    (change,) = diff({"tags": {"team": "y"}}, {"tags": {"team": "x"}})
    assert change.path == "tags.team"


def test_none_empty_dict_and_empty_list_are_the_same_absence():
    assert diff({"a": None, "b": [], "c": {}}, {"a": [], "b": None, "c": None}) == []


def test_a_live_only_empty_field_is_not_a_change():
    assert diff({}, {"extra": None}) == []


def test_a_live_only_set_field_is_a_change_to_none():
    (change,) = diff({}, {"extra": 5})
    assert (change.path, change.old, change.new) == ("extra", 5, None)


def test_list_order_matters_normalisers_sort_first():
    assert paths(diff({"subnets": ["a", "b"]}, {"subnets": ["b", "a"]})) == ["subnets"]
