"""`status` reads its parts side by side once it has the service (issue #20 item 1): barriers, not
sleeps, prove two parts are in flight at once; the result and the error raised keep the sequential
order whatever order the parts end in."""
from __future__ import annotations

import threading

import pytest

from ecsship.deploy import status
from ecsship.deploy.settings import DeploySettings

from tests.doubles import FakeAws

WAIT = 10


class _Ecs:
    def describe_services(self, cluster, services, **_):
        return {"services": [{"serviceName": "web", "status": "ACTIVE", "taskDefinition": "arn:aws:ecs:::task-definition/web:3",
                              "deployments": [], "events": []}], "failures": []}


def _parts(monkeypatch, behaviour):
    for name in ("targets", "traffic", "rollout", "scaling"):
        monkeypatch.setattr(status, f"_{name}", (lambda n: lambda *a: behaviour(n))(name))
    monkeypatch.setattr(status, "_alarms", lambda *a: behaviour("alarms"))


def test_the_parts_are_in_flight_at_once_and_come_back_in_order(monkeypatch):
    all_four = threading.Barrier(4, timeout=WAIT)

    def behaviour(name):
        if name != "alarms":
            all_four.wait()
        return f"{name} part"

    _parts(monkeypatch, behaviour)
    data = status.gather(FakeAws(_Ecs()), DeploySettings(cluster="shop", service="web"))
    assert list(data)[-7:] == ["targets", "traffic", "listeners", "rollout", "scaling", "alarms", "events"]
    assert data["targets"] == "targets part" and data["scaling"] == "scaling part" and data["listeners"] is None


def test_of_two_failing_parts_the_first_in_order_is_raised_whatever_ends_first(monkeypatch):
    scaling_failed = threading.Event()

    def behaviour(name):
        if name == "targets":
            assert scaling_failed.wait(WAIT)
            raise RuntimeError("targets failed")
        if name == "scaling":
            scaling_failed.set()
            raise RuntimeError("scaling failed")
        return None

    _parts(monkeypatch, behaviour)
    with pytest.raises(RuntimeError, match="targets failed"):
        status.gather(FakeAws(_Ecs()), DeploySettings(cluster="shop", service="web"))


def test_what_needs_only_the_manifest_is_read_beside_describe_services(monkeypatch):
    """The rollout in progress (ListServiceDeployments) and the scaling (DescribeScalableTargets) are
    named by the manifest's cluster and service alone (botocore ecs ListServiceDeployments: `cluster`,
    `service`; application-autoscaling DescribeScalableTargets: `ResourceIds` service/CLUSTER/SERVICE),
    so they are in flight before DescribeServices answers: one round trip, not two (issue #20 item 1)."""
    started = {name: threading.Event() for name in ("rollout", "scaling")}
    beside: list[bool] = []

    class Ecs(_Ecs):
        def describe_services(self, cluster, services, **_):
            beside.append(all(event.wait(2) for event in started.values()))
            return super().describe_services(cluster, services)

    def behaviour(name):
        if name in started:
            started[name].set()
        return f"{name} part"

    _parts(monkeypatch, behaviour)
    data = status.gather(FakeAws(Ecs()), DeploySettings(cluster="shop", service="web"))
    assert beside == [True] and data["rollout"] == "rollout part"
