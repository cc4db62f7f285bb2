"""The service lock: one holder at a time, a clear message naming the holder, expiry, unlock."""
import pytest

from ecsship.aws.session import Aws
from ecsship.lock import LockHeld, ServiceLock

pytestmark = pytest.mark.reliability


class FakeClock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def make(aws, clock):
    session = Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True)
    return ServiceLock(session, "shop", "api", clock=clock, sleep=clock.sleep)


def test_second_holder_waits_then_refuses_naming_the_owner(aws):
    clock = FakeClock()
    first, second = make(aws, clock), make(aws, clock)
    first.acquire("apply")
    with pytest.raises(LockHeld) as info:
        second.acquire("deploy", wait=5)
    assert "locked" in info.value.message and "`apply`" in info.value.message
    assert "ecsship unlock" in info.value.hint
    assert clock.now >= 1_000_005  # it waited before giving up
    first.release()
    second.acquire("deploy", wait=0)
    assert second.read().command == "deploy"


def test_expired_lock_is_taken_over(aws):
    clock = FakeClock()
    crashed, later = make(aws, clock), make(aws, clock)
    crashed.acquire("apply", ttl=60)
    clock.now += 61
    later.acquire("apply", wait=0)
    assert later.read().token == later.token


def test_release_does_not_remove_someone_elses_lock(aws):
    clock = FakeClock()
    a, b = make(aws, clock), make(aws, clock)
    a.acquire("apply", ttl=10)
    clock.now += 11
    b.acquire("apply", wait=0)  # a's lock expired and was replaced
    a.release()
    assert b.read() is not None and b.read().token == b.token


def test_unlock_command(aws, run_cli, tmp_path):
    from pathlib import Path

    web = Path(__file__).resolve().parents[2] / "examples" / "worker" / "ecsship.yaml"
    clock = FakeClock()
    lock = ServiceLock(Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True), "shop", "worker", clock=clock, sleep=clock.sleep)
    lock.acquire("deploy")
    result = run_cli("unlock", "-f", str(web), "--yes")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "lock removed" in result.stdout
    assert lock.read() is None
    again = run_cli("unlock", "-f", str(web), "--yes")
    assert "not locked" in again.stdout


def test_lock_of_a_dead_process_on_this_machine_is_taken_over(aws):
    import json
    import socket

    clock = FakeClock()
    lock = make(aws, clock)
    value = {"owner": f"ci@{socket.gethostname()} pid 999999", "command": "apply", "token": "dead",
             "acquired_at": clock.now, "expires_at": clock.now + 3600}
    aws.client("ssm").put_parameter(Name=lock.name, Value=json.dumps(value), Type="String")
    lock.acquire("apply", wait=0)
    assert lock.read().token == lock.token
