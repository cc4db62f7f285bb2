"""The per-run read cache (issue #20 item 2): within `Aws.caching_reads()` the same read with the same
request reaches AWS once; a write empties the cache; an error answer is never kept; outside, every
read is sent (a watcher must see the service move). The "AWS" here answers at botocore's
`before-send`, so nothing leaves the process; `sent` counts what would have reached AWS."""
from __future__ import annotations

import json

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from ecsship.aws.session import Aws


class _Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **_):
        yield self.body


@pytest.fixture
def fake():
    aws = Aws(region="us-east-1", endpoint_url="http://127.0.0.1:9", local=True, max_attempts=1)
    state = {"sent": [], "fail": False, "count": 1}

    def answer(request=None, event_name="", **_):
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        state["sent"].append(target.split(".")[-1])
        headers = {"Content-Type": "application/x-amz-json-1.1"}
        if state["fail"]:
            body = {"__type": "ClusterNotFoundException", "message": "not yet"}
            return AWSResponse(request.url, 400, {**headers, "x-amzn-ErrorType": body["__type"]}, _Raw(json.dumps(body).encode()))
        body = {"services": [{"serviceName": "api", "desiredCount": state["count"]}], "failures": []} \
            if target.endswith("DescribeServices") else {"service": {"serviceName": "api"}}
        return AWSResponse(request.url, 200, headers, _Raw(json.dumps(body).encode()))

    aws.session.events.register_first("before-send.ecs.*", answer)
    return aws, state


def _describe(aws, name="api"):
    return aws.client("ecs").describe_services(cluster="shop", services=[name])["services"][0]


def test_the_same_read_is_sent_once_and_each_caller_gets_its_own_copy(fake):
    aws, state = fake
    with aws.caching_reads():
        first = _describe(aws)
        first["desiredCount"] = 99  # a caller changing its answer must not change the next one's
        second = _describe(aws)
        _describe(aws, "other")  # other parameters: another read
    assert state["sent"] == ["DescribeServices", "DescribeServices"]
    assert second["desiredCount"] == 1
    assert [op for _, op in aws.calls.calls] == ["DescribeServices", "DescribeServices"]  # hits are not calls
    assert aws.read_cache.hits == 1


def test_a_write_empties_the_cache(fake):
    aws, state = fake
    with aws.caching_reads():
        _describe(aws)
        aws.client("ecs").update_service(cluster="shop", service="api", desiredCount=2)
        state["count"] = 2
        assert _describe(aws)["desiredCount"] == 2
    assert state["sent"] == ["DescribeServices", "UpdateService", "DescribeServices"]


def test_an_error_is_never_kept(fake):
    aws, state = fake
    state["fail"] = True
    with aws.caching_reads():
        with pytest.raises(ClientError):
            _describe(aws)
        state["fail"] = False
        assert _describe(aws)["serviceName"] == "api"
    assert state["sent"] == ["DescribeServices", "DescribeServices"]


def test_outside_a_plan_every_read_is_sent(fake):
    aws, state = fake
    with aws.caching_reads():
        _describe(aws)
    _describe(aws)
    _describe(aws)
    assert len(state["sent"]) == 3 and len(aws.read_cache) == 0
