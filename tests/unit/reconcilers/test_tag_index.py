"""The plan's one tagging-API look (issue #20 item 2, reconcilers/tag_index.py). botocore
resourcegroupstaggingapi GetResources "Returns all the tagged or previously tagged resources that are
located in the specified Amazon Web Services Region for the account" and "The response includes all
tags that are associated with the requested resources": one answer serves every read's tag question
and the account id. The index may lag behind a change, so it only ever confirms what the manifest
wants; anything else reads the resource's own tags."""
from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

from ecsship.desired import resources as r
from ecsship.errors import EcsshipError
from ecsship.reconcilers import tag_index

OURS = {"ecsship:service": "api", "ecsship:cluster": "shop"}
WANTED = {**OURS, "team": "payments"}
TG = "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/shop-api/abc"
LOGS = "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/shop/api"


class FakeCalls:
    def __init__(self):
        self.writes: list = []


class FakeTagging:
    def __init__(self, items, error=None):
        self.items, self.error, self.requests = items, error, []

    def get_paginator(self, name):
        assert name == "get_resources"
        return self

    def paginate(self, **kwargs):
        self.requests.append(kwargs)
        if self.error:
            raise ClientError({"Error": {"Code": self.error, "Message": "no"}}, "GetResources")
        return [{"ResourceTagMappingList": [{"ResourceARN": a, "Tags": [{"Key": k, "Value": v} for k, v in t.items()]}
                                            for a, t in self.items]}]


class FakeAws:
    def __init__(self, items=(), error=None):
        self.tagging, self.calls, self.account = FakeTagging(list(items), error), FakeCalls(), None

    def client(self, name):
        assert name == "resourcegroupstaggingapi"
        return self.tagging

    def note_account_of(self, arn):
        self.account = self.account or arn.split(":")[4]


def _tg(tags=WANTED, key="target_group"):
    return r.TargetGroup(key=key, name="shop-api", tags=dict(tags), spec={})


def test_a_resource_found_with_exactly_the_wanted_tags_needs_no_tag_read_and_tells_the_account():
    aws = FakeAws([(TG, WANTED), (LOGS, WANTED)])
    tag_index.open_for_plan(aws, OURS)
    assert tag_index.known_tags(aws, TG, _tg()) == WANTED
    # DescribeLogGroups' ARN ends in ":*", the tagging API's does not
    assert tag_index.known_tags(aws, LOGS + ":*", r.LogGroup(key="log_group", name="/ecs/shop/api", tags=WANTED)) == WANTED
    assert aws.account == "111122223333"
    request = aws.tagging.requests[0]
    assert request["TagFilters"] == [{"Key": "ecsship:cluster", "Values": ["shop"]}, {"Key": "ecsship:service", "Values": ["api"]}]
    assert len(request["ResourceTypeFilters"]) <= 100  # botocore: "The array can include up to 100 items"


def test_anything_but_an_exact_match_reads_its_own_tags():
    aws = FakeAws([(TG, {**OURS, "team": "old"})])
    tag_index.open_for_plan(aws, OURS)
    assert tag_index.known_tags(aws, TG, _tg()) is None  # tags changed: the index may lag behind
    assert tag_index.known_tags(aws, TG.replace("abc", "xyz"), _tg()) is None  # not in the index
    assert tag_index.known_tags(aws, TG, _tg(key="orphan.target_group.shop-api", tags={**OURS, "team": "old"})) is None
    assert len(aws.tagging.requests) == 1


def test_not_used_before_a_plan_opens_it_nor_after_a_write():
    aws = FakeAws([(TG, WANTED)])
    assert tag_index.tagged(aws, OURS) == [(TG, WANTED)]  # destroy's orphan search: no tag answers from it
    assert tag_index.known_tags(aws, TG, _tg()) is None
    tag_index.open_for_plan(aws, OURS)
    assert tag_index.known_tags(aws, TG, _tg()) == WANTED and len(aws.tagging.requests) == 1
    aws.calls.writes.append(("elbv2", "AddTags"))
    assert tag_index.known_tags(aws, TG, _tg()) is None
    tag_index.tagged(aws, OURS)
    assert len(aws.tagging.requests) == 2  # asked again after the write


def test_a_denied_index_is_asked_once_and_its_error_kept_for_the_orphan_search():
    aws = FakeAws(error="AccessDeniedException")
    tag_index.open_for_plan(aws, OURS)
    assert tag_index.known_tags(aws, TG, _tg()) is None
    with pytest.raises(EcsshipError) as raised:
        tag_index.tagged(aws, OURS)
    assert raised.value.code == "AccessDeniedException" and len(aws.tagging.requests) == 1


def test_threads_share_one_answer():
    aws = FakeAws([(TG, WANTED)])
    threads = [threading.Thread(target=tag_index.open_for_plan, args=(aws, OURS)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(aws.tagging.requests) == 1 and tag_index.known_tags(aws, TG, _tg()) == WANTED
