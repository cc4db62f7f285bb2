"""The fault injector makes a share of calls fail like AWS does; botocore's standard retries absorb them."""
import pytest

from ecsship.aws.faults import KINDS, FaultInjector
from ecsship.aws.session import Aws

pytestmark = pytest.mark.reliability


CALLS = [
    ("ecs", "list_clusters", {}),
    ("ec2", "describe_vpcs", {}),
    ("elbv2", "describe_load_balancers", {}),
    ("logs", "describe_log_groups", {}),
    ("sts", "get_caller_identity", {}),
    ("iam", "list_roles", {}),
    ("ssm", "describe_parameters", {}),
]


def test_thirty_percent_faults_are_absorbed_by_retries(aws):
    injector = FaultInjector(rate=0.3, seed=7)
    client = Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True, faults=injector)
    for i in range(120):
        service, operation, kwargs = CALLS[i % len(CALLS)]
        getattr(client.client(service), operation)(**kwargs)
    assert len(client.calls.calls) == 120  # logical calls, not attempts
    assert 0.2 < injector.total / injector.calls < 0.4
    assert set(injector.injected) == set(KINDS)


def test_faults_surface_when_retries_run_out(aws):
    from botocore.exceptions import ClientError

    injector = FaultInjector(rate=1.0, seed=1, kinds=("throttle",), max_consecutive=100)
    client = Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True, faults=injector, max_attempts=3)
    with pytest.raises(ClientError) as info:
        client.client("ecs").list_clusters()
    assert info.value.response["Error"]["Code"] == "ThrottlingException"
    assert injector.total == 4  # the first attempt and max_attempts=3 retries


def test_injector_from_environment(monkeypatch):
    monkeypatch.setenv("ECSSHIP_FAULT_RATE", "0.25")
    monkeypatch.setenv("ECSSHIP_FAULT_SEED", "3")
    injector = FaultInjector.from_environment()
    assert injector.rate == 0.25 and injector.seed == 3
    monkeypatch.delenv("ECSSHIP_FAULT_RATE")
    assert FaultInjector.from_environment() is None


def test_lost_responses_resend_mutating_calls(aws):
    """A lost response means AWS did the work and the client sent it again: a second create of the
    same log group must then surface as AWS's own 'already exists'."""
    injector = FaultInjector(rate=0.0, seed=2, lost_response_rate=1.0)
    client = Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True, faults=injector)
    logs = client.client("logs")
    with pytest.raises(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName="/lost/response")
    assert injector.injected == {"lost": 1}
    # reads are never resent
    logs.describe_log_groups(logGroupNamePrefix="/lost")
    assert injector.injected == {"lost": 1}


def test_a_proxy_5xx_that_is_not_aws_shaped_is_retried(aws):
    """An intermediary's 502/503 has a plain-text or HTML body, not an AWS error document. botocore
    treats a 5xx as a generic (retryable) error only when the body is empty or starts with `<html>`
    (botocore parsers `_is_generic_error_response`); the XML protocols (EC2, STS, IAM, ELB) otherwise
    fail with an unretried ResponseParserError. Standard retry mode retries 500/502/503/504."""
    from ecsship.aws.faults import PROXY_KINDS

    injector = FaultInjector(rate=1.0, seed=5, kinds=tuple(PROXY_KINDS), max_consecutive=2)
    client = Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True, faults=injector)
    for service, operation, kwargs in CALLS:
        getattr(client.client(service), operation)(**kwargs)
    assert injector.total == 2 * len(CALLS)


def test_a_proxy_5xx_on_every_retry_is_a_translated_error(aws):
    from ecsship.aws.errors import aws_call
    from ecsship.errors import AwsCallError

    injector = FaultInjector(rate=1.0, seed=1, kinds=("proxy502",), max_consecutive=100)
    client = Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True, faults=injector, max_attempts=3)
    with pytest.raises(AwsCallError) as info, aws_call("VPC", "ec2:DescribeVpcs"):
        client.client("ec2").describe_vpcs()
    assert injector.total == 4 and "502" in str(info.value)  # the first attempt and 3 retries; and "proxy" in (info.value.hint or "")


def test_cli_survives_proxy_5xx_answers(aws, run_cli, monkeypatch):
    """The command completes instead of ending with "internal error"."""
    monkeypatch.setenv("ECSSHIP_FAULT_RATE", "0.5")
    monkeypatch.setenv("ECSSHIP_FAULT_SEED", "4")
    monkeypatch.setenv("ECSSHIP_FAULT_KINDS", "proxy502,proxy503html")
    from pathlib import Path

    worker = str(Path(__file__).resolve().parents[2] / "examples" / "worker" / "ecsship.yaml")
    result = run_cli("plan", "-f", worker)
    assert result.exit_code == 0, result.stderr
    assert "internal error" not in result.stderr
