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
        if state.get("before"):
            state["before"](request)
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


def _until(condition, thread) -> None:
    """Until `condition()` holds, while `thread` runs (each turn a 1 ms join: no fixed sleep)."""
    for _ in range(10_000):
        if condition():
            return
        thread.join(0.001)
    raise AssertionError("the condition never held")


def _hold_first_request(state, landed=None, otherwise=None):
    """(flying, land): the first request sent waits, once `flying` is set, until the test sets `land`;
    then `landed(request)` runs for it, `otherwise(request)` for every later request."""
    import threading

    flying, land = threading.Event(), threading.Event()

    def held(request):
        if not flying.is_set():
            flying.set()
            assert land.wait(10)
            if landed is not None:
                landed(request)
        elif otherwise is not None:
            otherwise(request)

    state["before"] = held
    return flying, land


@pytest.mark.parametrize("outcome", ["answer", "error", "connection"])
def test_the_same_read_asked_while_in_flight_waits_for_it(fake, outcome):
    """Plan reads run side by side (issue #20 item 1): a read identical to one in flight is not sent
    again; it waits for that answer, and sends itself only when the flight failed (an error answer
    is not kept; a connection error ends the flight through botocore's after-call-error)."""
    import threading

    from botocore.exceptions import EndpointConnectionError

    aws, state = fake

    def landed(request):
        if outcome == "connection":
            raise EndpointConnectionError(endpoint_url=request.url)
        state["fail"] = outcome == "error"

    flying, land = _hold_first_request(state, landed, otherwise=lambda request: state.update(fail=False))
    results: list = []

    def ask():
        try:
            results.append(_describe(aws)["serviceName"])
        except Exception as exc:  # noqa: BLE001 - the first asker's failure, looked at below
            results.append(type(exc).__name__)

    with aws.caching_reads():
        first = threading.Thread(target=ask)
        first.start()
        assert flying.wait(10)
        second = threading.Thread(target=ask)
        second.start()
        _until(lambda: aws.read_cache.waiting == 1, second)
        land.set()
        first.join(10)
        second.join(10)
    sent = {"answer": 1, "error": 2, "connection": 1}[outcome]  # a connection error is never answered
    assert state["sent"].count("DescribeServices") == sent
    assert "api" in results and len(results) == 2


def test_an_answer_to_a_read_sent_before_a_write_is_not_kept(fake):
    """A deploy reads beside its writes (issue #20 item 1): a read in flight while a write is sent may
    answer with what the write changes (ECS UpdateService changes what DescribeServices answers), so
    its answer serves its own caller but is not kept for a later read."""
    import threading

    aws, state = fake
    flying, land = _hold_first_request(state)
    with aws.caching_reads():
        first = threading.Thread(target=_describe, args=(aws,))
        first.start()
        assert flying.wait(10)
        aws.client("ecs").update_service(cluster="shop", service="api", desiredCount=2)
        land.set()
        first.join(10)
        state["count"] = 2
        assert _describe(aws)["desiredCount"] == 2
    assert sorted(state["sent"]) == ["DescribeServices", "DescribeServices", "UpdateService"]
