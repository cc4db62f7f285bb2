"""plan.orphans.select_orphans: which tagged resources are this service's leftovers (pure)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ecsship.desired import build
from ecsship.manifest.document import load_manifest
from ecsship.plan.orphans import select_orphans

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PREFIX = "arn:aws:codedeploy:us-east-1:123456789012"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup"
OURS = {"ecsship:service": "checkout-api-bg", "ecsship:cluster": "shop", "team": "payments"}


def _desired(tmp_path, text: str):
    path = tmp_path / "ecsship.yaml"
    path.write_text(text)
    return build(load_manifest(str(path)))


def _blue_green_example(tmp_path, controller: str):
    text = (EXAMPLES / "bluegreen" / "ecsship.yaml").read_text().replace("controller: codedeploy", f"controller: {controller}")
    return _desired(tmp_path, text)


def test_codedeploy_leftovers_after_a_switch_to_ecs_blue_green_in_deletion_order(tmp_path):
    desired = _blue_green_example(tmp_path, "ecs")
    tagged = [(f"{PREFIX}:application:shop-checkout-api-bg", OURS),
              (f"{PREFIX}:deploymentgroup:shop-checkout-api-bg/shop-checkout-api-bg", OURS),
              (f"{TG}/shop-checkout-api-bg-blue/0123", OURS),  # still described: blue/green stays
              (f"{TG}/shop-checkout-api-bg-green-r/0124", OURS)]  # its replacement name counts as described too
    selected = select_orphans(desired, tagged)
    assert [(res.kind, res.name) for res in selected] == [("codedeploy_group", "shop-checkout-api-bg"),
                                                         ("codedeploy_app", "shop-checkout-api-bg")]
    assert selected[0].spec == {"applicationName": "shop-checkout-api-bg"}
    assert all(res.tags == desired.ownership_tags() and res.note for res in selected)


def test_nothing_is_selected_without_every_ownership_tag_of_this_service(tmp_path):
    desired = _blue_green_example(tmp_path, "ecs")
    app = f"{PREFIX}:application:shop-checkout-api-bg"
    for tags in ({}, {"ecsship:service": "checkout-api-bg"}, {**OURS, "ecsship:cluster": "staging"},
                 {**OURS, "ecsship:service": "other"}):
        assert select_orphans(desired, [(app, tags)]) == []


def test_what_the_manifest_describes_and_foreign_kinds_are_never_selected(tmp_path):
    desired = _blue_green_example(tmp_path, "codedeploy")
    tagged = [(f"{PREFIX}:application:shop-checkout-api-bg", OURS),
              (f"{PREFIX}:deploymentgroup:shop-checkout-api-bg/shop-checkout-api-bg", OURS),
              ("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/main/1", OURS),
              ("arn:aws:sqs:us-east-1:123456789012:shop-checkout-api-bg-other", OURS), ("not-an-arn", OURS)]
    assert select_orphans(desired, tagged) == []


def test_a_switch_to_rolling_leaves_the_pair(tmp_path):
    data = yaml.safe_load((EXAMPLES / "bluegreen" / "ecsship.yaml").read_text())
    desired = _desired(tmp_path, yaml.safe_dump({**data, "deploy": {"strategy": "rolling"}}))
    tagged = [(f"{TG}/shop-checkout-api-bg-green/2", OURS), (f"{TG}/shop-checkout-api-bg-blue/1", OURS),
              (f"{TG}/shop-checkout-api-bg/3", OURS)]
    assert [res.name for res in select_orphans(desired, tagged)] == ["shop-checkout-api-bg-blue", "shop-checkout-api-bg-green"]


def test_a_deployer_without_tag_get_resources_still_plans_with_a_warning(tmp_path):
    """A policy granting what ecsship needed before this lookup must not stop every plan: AccessDenied
    on tag:GetResources is a warning; any other error stands."""
    from botocore.exceptions import ClientError

    from ecsship.errors import EcsshipError
    from ecsship.plan.orphans import find_orphans

    class Denied:
        def __init__(self, code):
            self.code = code

        def client(self, service):
            return self

        def get_paginator(self, name):
            return self

        def paginate(self, **kwargs):
            raise ClientError({"Error": {"Code": self.code, "Message": "not allowed"}}, "GetResources")

    desired = _blue_green_example(tmp_path, "ecs")
    warnings: list = []
    assert find_orphans(Denied("AccessDeniedException"), desired, {}, warnings) == []
    assert len(warnings) == 1 and "tag:GetResources" in warnings[0]
    with pytest.raises(EcsshipError):
        find_orphans(Denied("ThrottledException"), desired, {}, [])


def test_every_job_removed_leaves_schedules_alarm_rule_and_queue_in_deletion_order(tmp_path):
    """Issue #18: the queue and alarm come from GetResources (tagged); the schedules (no tags: botocore
    scheduler TagResource tags schedule groups only) and the rule (not in the local AWS's index) follow
    by name once they show the service had jobs. The queue goes last: it is how a resumed apply finds the rest."""
    text = (EXAMPLES / "jobs" / "ecsship.yaml").read_text()
    jobs = {"ecsship:service": "reports", "ecsship:cluster": "shop"}
    queue, alarm = "arn:aws:sqs:us-east-1:123456789012:shop-reports-jobs-dlq", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
    tagged = [(queue, jobs), (alarm + "shop-reports-jobs-failed", jobs), (alarm + "shop-reports-cpu-high", jobs)]
    assert select_orphans(_desired(tmp_path, text), tagged) == []  # still has jobs
    without = _desired(tmp_path, text.split("\njobs:")[0])
    selected = select_orphans(without, tagged)
    assert [(res.kind, res.name) for res in selected] == [
        ("schedules", "shop-reports-*"), ("alarm", "shop-reports-jobs-failed"), ("event_rule", "shop-reports-jobs-failed"),
        ("queue", "shop-reports-jobs-dlq")]
    assert selected[0].spec["marker"] == "ecsship: shop/reports:" and selected[0].spec["schedules"] == {}
    # another service's (or untagged) queue says nothing about this one
    assert select_orphans(without, [(queue, {**jobs, "ecsship:service": "other"}), (queue, {})]) == []
    # on AWS the rule is in the index too: selected once
    rule = "arn:aws:events:us-east-1:123456789012:rule/shop-reports-jobs-failed"
    assert [res.kind for res in select_orphans(without, [(queue, jobs), (rule, jobs)])].count("event_rule") == 1
