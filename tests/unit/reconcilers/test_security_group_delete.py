"""reconcilers.security_group.delete_when_released: the one security-group delete retry, shared by the
task group and the ALB's group (issue #14 item 3). EC2 DeleteSecurityGroup fails with
DependencyViolation while a network interface still uses the group; InvalidGroup.NotFound means gone."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from ecsship.deploy.clock import FakeClock
from ecsship.errors import AwsCallError, EcsshipError
from ecsship.reconcilers.security_group import delete_when_released


class Ec2:
    def __init__(self, codes):
        self.codes, self.calls = list(codes), 0

    def delete_security_group(self, GroupId):
        self.calls += 1
        if self.codes:
            code = self.codes.pop(0)
            raise AwsCallError("security group x", "ec2:DeleteSecurityGroup", code, "as EC2 says")


@pytest.fixture
def clock():
    return FakeClock()


def test_retries_while_in_use_with_growing_waits(clock):
    ec2 = Ec2(["DependencyViolation", "DependencyViolation"])
    delete_when_released(SimpleNamespace(client=lambda name: ec2, clock=clock), "security group x", "sg-1", first_wait=2.0)
    assert ec2.calls == 3 and clock.slept == [2.0, 3.0]


def test_already_gone_is_done(clock):
    ec2 = Ec2(["InvalidGroup.NotFound"])
    delete_when_released(SimpleNamespace(client=lambda name: ec2, clock=clock), "security group x", "sg-1", first_wait=1.0)
    assert ec2.calls == 1 and clock.slept == []


def test_another_error_is_raised_at_once(clock):
    ec2 = Ec2(["UnauthorizedOperation"])
    with pytest.raises(EcsshipError):
        delete_when_released(SimpleNamespace(client=lambda name: ec2, clock=clock), "security group x", "sg-1", first_wait=1.0)
    assert ec2.calls == 1
