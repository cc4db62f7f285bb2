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
    lock.acquire("deploy")  # held by this (live) process: only --force removes it
    result = run_cli("unlock", "-f", str(web), "--yes", "--force")
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


def test_stale_takeover_is_a_compare_and_set(aws):
    """Issue #22: takeover was read-then-delete, so a second run could delete the lock the first had
    just taken over and both believed they held it. Now exactly one holds it."""
    clock = FakeClock()
    crashed = make(aws, clock)
    crashed.acquire("apply", ttl=60)
    clock.now += 61
    first = make(aws, clock)
    outcome = {}

    def interleave(**_):
        if outcome:
            return
        outcome["first"] = "running"
        try:
            first.acquire("apply", wait=0)
            outcome["first"] = "holds"
        except LockHeld:
            outcome["first"] = "refused"

    session = Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True,
                  event_hooks=[("before-call.ssm.DeleteParameter", interleave)])
    second = ServiceLock(session, "shop", "api", clock=clock, sleep=clock.sleep)
    try:
        second.acquire("apply", wait=0)
        second_holds = True
    except LockHeld:
        second_holds = False
    holders = [name for name, holds in (("first", outcome.get("first") == "holds"), ("second", second_holds)) if holds]
    assert len(holders) == 1, f"both believe they hold the lock: {holders}"
    winner = first if holders == ["first"] else second
    assert second.read().token == winner.token


def test_a_dead_pid_on_another_machine_with_the_same_hostname_is_not_taken_over(aws):
    """Containers share hostnames: the lock records the machine id, and a pid from another machine says
    nothing about this one."""
    import json
    import socket

    clock = FakeClock()
    lock = make(aws, clock)
    value = {"owner": f"ci@{socket.gethostname()} pid 999999", "machine": "another-machine-id", "command": "apply",
             "token": "other", "acquired_at": clock.now, "expires_at": clock.now + 3600}
    aws.client("ssm").put_parameter(Name=lock.name, Value=json.dumps(value), Type="String")
    with pytest.raises(LockHeld):
        lock.acquire("apply", wait=0)


def test_unlock_refuses_a_live_holder_without_force(aws, run_cli):
    """--yes only answers the prompt: a holder that may still run needs --force (issue #22)."""
    from pathlib import Path

    worker = Path(__file__).resolve().parents[2] / "examples" / "worker" / "ecsship.yaml"
    clock = FakeClock()
    clock.now = __import__("time").time()
    lock = ServiceLock(Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True), "shop", "worker", clock=clock, sleep=clock.sleep)
    lock.acquire("deploy")
    refused = run_cli("unlock", "-f", str(worker), "--yes")
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert lock.read() is not None
    assert run_cli("unlock", "-f", str(worker), "--yes", "--force").exit_code == 0
    assert lock.read() is None


def test_destroy_takes_the_lock(aws, run_cli, monkeypatch):
    """destroy deleting resources while an apply or deploy runs would interleave with it (issue #22)."""
    from pathlib import Path

    worker = Path(__file__).resolve().parents[2] / "examples" / "worker" / "ecsship.yaml"
    assert run_cli("apply", "--no-wait", "-f", str(worker), "--yes").exit_code == 0
    original = ServiceLock.acquire
    monkeypatch.setattr(ServiceLock, "acquire", lambda self, command, wait=10.0, **kw: original(self, command, wait=0, **kw))
    holder = ServiceLock(Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True), "shop", "worker")
    holder.acquire("deploy")
    try:
        result = run_cli("destroy", "-f", str(worker), "--yes")
    finally:
        holder.release()
    assert result.exit_code == 1 and "locked" in result.stderr, result.output
    service = aws.client("ecs").describe_services(cluster="shop", services=["worker"])["services"][0]
    assert service["status"] == "ACTIVE", "nothing was deleted"


def test_rollback_and_promote_take_the_lock(aws, run_cli, monkeypatch):
    """Issue #22: `rollback` (here of the in-flight first rollout) and `promote` change a rollout; while
    another run holds the lock they refuse (exit 1) with the documented message naming the holder
    (docs/reliability.md, "Concurrency": "service worker in cluster shop is locked: held by ... running
    `deploy` ...") and the hint to `ecsship unlock`, and the rollout is left alone."""
    from pathlib import Path

    worker = str(Path(__file__).resolve().parents[2] / "examples" / "worker" / "ecsship.yaml")
    assert run_cli("apply", "--no-wait", "-f", worker, "--yes").exit_code == 0
    original = ServiceLock.acquire
    monkeypatch.setattr(ServiceLock, "acquire", lambda self, command, wait=10.0, **kw: original(self, command, wait=0, **kw))
    holder = ServiceLock(Aws(region="us-east-1", endpoint_url=aws.endpoint_url, local=True), "shop", "worker")
    holder.acquire("deploy")
    try:
        results = [run_cli("rollback", "-f", worker, "--no-wait"), run_cli("promote", "-f", worker)]
    finally:
        holder.release()
    for result in results:
        assert result.exit_code == 1, result.output
        assert "service worker in cluster shop is locked: held by" in result.stderr and "`deploy`" in result.stderr
        assert "ecsship unlock" in result.stderr
    assert len(aws.client("ecs").describe_services(cluster="shop", services=["worker"])["services"][0]["deployments"]) == 1
