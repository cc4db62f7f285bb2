"""Plan view: lists diff element by element; only long scalars are cut, and never with -v."""
from __future__ import annotations

from ecsship.desired.output_refs import UNKNOWN
from ecsship.plan.model import FieldChange, list_delta
from ecsship.ui.plan_view import MAX_VALUE, field_lines

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"


def test_list_delta_names_added_and_removed_elements():
    assert list_delta([ARN + "a"], [ARN + "a", ARN + "b"]) == ([ARN + "b"], [])
    assert list_delta(None, ["x"]) == (["x"], [])
    assert list_delta(["x", "y"], None) == ([], ["x", "y"])
    assert list_delta("a", "b") is None and list_delta({"a": 1}, None) is None
    assert list_delta(["x"], ["x", UNKNOWN]) == ([UNKNOWN], [])


def test_a_policy_resource_change_reads_as_the_arns_granted_and_revoked():
    lines = field_lines(FieldChange("policy.ReadSecrets.Resource", [ARN + "a", ARN + "b"], [ARN + "b", ARN + "c"]))
    assert lines == ["        policy.ReadSecrets.Resource:", f'          - "{ARN}a"', f'          + "{ARN}c"']
    assert field_lines(FieldChange("subnets", ["s1", "s2"], ["s2", "s1"]))[0].endswith("(order only)")


def test_long_scalars_are_cut_by_default_and_whole_with_verbose():
    long = "x" * (MAX_VALUE + 40)
    clipped = [False]
    short_view = field_lines(FieldChange("command", None, long), clipped=clipped)[0]
    assert short_view.endswith('...') or '..."' in short_view
    assert clipped == [True]
    assert long in field_lines(FieldChange("command", None, long), whole=True)[0]
    # a structure keeps its shape; only its long strings are cut
    element = {"containerPort": 80, "name": long}
    listed = field_lines(FieldChange("portMappings", [], [element]))[1]
    assert 'containerPort=80' in listed and long not in listed
    assert long in field_lines(FieldChange("portMappings", [], [element]), whole=True)[1]


def test_whole_statements_added_or_removed_are_named_once():
    from ecsship.ui.plan_view import statement_changes

    fields = [FieldChange("policy.ReadParameters.Action", None, ["ssm:GetParameters"]),
              FieldChange("policy.ReadParameters.Effect", None, "Allow"),
              FieldChange("policy.ReadSecrets.Resource", [ARN + "a"], [ARN + "a", ARN + "b"]),
              FieldChange("policy.DecryptSecrets.Action", ["kms:Decrypt"], None),
              FieldChange("policy.DecryptSecrets.Effect", "Allow", None),
              FieldChange("policy.PullImage.Condition", None, {"Bool": {"aws:SecureTransport": "true"}}),
              FieldChange("tags.team", None, "x")]
    assert statement_changes(fields) == {"policy.ReadParameters": "added", "policy.DecryptSecrets": "removed"}
