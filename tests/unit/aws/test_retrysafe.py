"""aws.retrysafe: the one transient-error classifier and the one client-token derivation."""
from __future__ import annotations

import types

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from ecsship.aws.retrysafe import client_token, is_transient, send_once
from ecsship.errors import AwsCallError


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize("code", ["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestTimeout"])
def test_throttling_and_timeouts_are_transient(code):
    assert is_transient(client_error(code))


def test_a_5xx_answer_is_transient():
    assert is_transient(client_error("InternalFailure", 500)) and is_transient(client_error("Whatever", 503))


@pytest.mark.parametrize("code", ["AccessDeniedException", "InvalidParameterException", "ServiceNotFoundException"])
def test_client_errors_are_not(code):
    assert not is_transient(client_error(code))


def test_network_errors_are_transient():
    assert is_transient(EndpointConnectionError(endpoint_url="https://ecs"))
    assert is_transient(ReadTimeoutError(endpoint_url="https://ecs"))


def test_an_aws_call_error_is_judged_by_what_it_was_raised_from():
    try:
        try:
            raise client_error("InternalError", 500)
        except ClientError as exc:
            raise AwsCallError("service web", "ecs:DescribeServices", "InternalError", "boom") from exc
    except AwsCallError as wrapped:
        assert is_transient(wrapped)


def test_an_aws_call_error_alone_is_judged_by_its_code():
    assert is_transient(AwsCallError("service web", "ecs:DescribeServices", "ThrottlingException", "Rate exceeded"))
    assert is_transient(AwsCallError("service web", "ecs:DescribeServices", "ServiceUnavailableException", "x"))
    assert not is_transient(AwsCallError("service web", "ecs:DescribeServices", "AccessDeniedException", "no"))


def test_other_exceptions_are_not_transient():
    assert not is_transient(KeyError("x")) and not is_transient(ValueError("x"))


def test_client_token_is_per_run_and_per_content():
    """ECS CreateService `clientToken`: "Up to 36 ASCII characters in the range of 33-126"; EC2 and
    Cloud Map (`CreatorRequestId`, max 64) take longer ones. 32 hex characters fit all three."""
    run1, run2 = types.SimpleNamespace(run_id="a"), types.SimpleNamespace(run_id="b")
    token = client_token(run1, "vpc-1", "ns")
    assert len(token) == 32 and token == client_token(run1, "vpc-1", "ns")
    assert token != client_token(run2, "vpc-1", "ns") and token != client_token(run1, "vpc-1", "other")


def test_send_once_reads_before_resending_after_a_transient_failure():
    sent, slept = [], []

    class Aws:
        max_attempts = 3

        def client(self, name):
            return name

    def send(client):
        sent.append(client)
        raise client_error("Throttling")

    found = send_once(Aws(), "ecs", send, find=lambda: "made by the first attempt", sleep=slept.append)
    assert found == "made by the first attempt" and sent == ["ecs"] and slept == []


def test_send_once_raises_a_non_transient_failure_at_once():
    def send(client):
        raise client_error("AccessDeniedException")

    with pytest.raises(ClientError):
        send_once(types.SimpleNamespace(client=lambda n: n), "ecs", send, find=lambda: pytest.fail("no read"), attempts=3)
