"""Issue #12 item 16: new interface VPC endpoints start `pending` (botocore ec2 model, VpcEndpoint.State:
PendingAcceptance | Pending | Available | Deleting | Deleted | Rejected | Failed | Expired | Partial);
until they are `available` their private DNS does not answer, so tasks in subnets without a NAT gateway
(the seeded private subnets) cannot pull their image. apply waits for them before creating the service,
in simulated time: in-process, and when ecsship runs as a subprocess against the manual-clock backend."""
from __future__ import annotations

from datetime import timezone

import pytest

from ecsship.deploy.clock import FakeClock
from ecsship.errors import EcsshipError
from ecsship.local.fidelity.ec2 import PENDING_SECONDS
from ecsship.reconcilers import vpc_endpoints


def _interface_endpoints(aws) -> list[dict]:
    found = aws.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]
    return [e for e in found if e["VpcEndpointType"].lower() == "interface" and e["State"] not in ("deleted", "deleting")]


def _service_created_after_endpoints(aws, before: float) -> None:
    endpoints = _interface_endpoints(aws)
    assert endpoints and {e["State"] for e in endpoints} == {"available"}
    service = aws.client("ecs").describe_services(cluster="shop", services=["worker"])["services"][0]
    created = service["createdAt"].astimezone(timezone.utc).timestamp()
    assert created - before >= PENDING_SECONDS  # the service came after the endpoints' pending time


def test_the_local_aws_keeps_a_new_interface_endpoint_pending(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    made = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.logs", VpcEndpointType="Interface",
                                   SubnetIds=[subnet])["VpcEndpoint"]
    assert made["State"] == "pending"
    aws.advance(PENDING_SECONDS)
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[made["VpcEndpointId"]])["VpcEndpoints"][0]["State"] == "available"


def test_apply_waits_for_pending_endpoints_before_creating_the_service(run_cli, example, aws):
    before = aws.advance(0)
    result = run_cli("apply", "--no-wait", "-f", example("worker"), "--yes")
    assert result.exit_code == 0, result.output
    _service_created_after_endpoints(aws, before)


def test_a_subprocess_apply_waits_in_the_backends_simulated_time(run_ecsship, example, aws):
    """The subprocess has no injected clock: its sleeps advance the manual-clock backend (clock_for)."""
    before = aws.advance(0)
    result = run_ecsship("apply", "--no-wait", "-f", example("worker"), "--yes", timeout=300)
    assert result.exit_code == 0, result.stdout + result.stderr
    _service_created_after_endpoints(aws, before)


class _Ec2:
    def __init__(self, state: str, error: dict | None = None):
        self.state, self.error, self.calls = state, error, 0

    def describe_vpc_endpoints(self, VpcEndpointIds):
        self.calls += 1
        return {"VpcEndpoints": [{"VpcEndpointId": i, "State": self.state, **({"LastError": self.error} if self.error else {})}
                                 for i in VpcEndpointIds]}


class _Aws:
    local = False

    def __init__(self, ec2, clock):
        self.ec2, self.clock = ec2, clock  # the run's clock, as Application.aws gives it

    def client(self, _service):
        return self.ec2


def test_an_endpoint_that_stays_pending_is_a_bounded_wait_naming_it(monkeypatch):
    clock = FakeClock()
    with pytest.raises(EcsshipError) as info:
        vpc_endpoints.wait_available(_Aws(_Ec2("pending"), clock), {"vpce-0abc": "ecr.dkr"}, timeout=300)
    assert "VPC endpoint ecr.dkr (vpce-0abc): still pending after" in str(info.value)
    assert 300 <= clock.t <= 320 and max(clock.slept) <= 15


def test_a_failed_endpoint_stops_the_wait_with_its_reason(monkeypatch):
    with pytest.raises(EcsshipError) as info:
        vpc_endpoints.wait_available(_Aws(_Ec2("failed", {"Code": "x", "Message": "no capacity in subnet"}), FakeClock()), {"vpce-1": "logs"})
    assert "VPC endpoint logs (vpce-1) is failed: no capacity in subnet" in str(info.value)
