"""deploy.suspend_scale_in: suspended during the rollout, restored after, also on failure."""
from __future__ import annotations

import pytest

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.rollout import roll_out, watch_current
from ecsship.deploy.settings import DeploySettings

from tests.deploy.fake_ecs import FakeEcs
from tests.doubles import FakeAws, View


class FakeScaling:
    def __init__(self):
        self.state = {"DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": False, "ScheduledScalingSuspended": False}
        self.history = []

    def describe_scaling_activities(self, **kw):
        return {"ScalingActivities": []}

    def describe_scalable_targets(self, ServiceNamespace, ResourceIds):
        assert ResourceIds == ["service/shop/web"]
        return {"ScalableTargets": [{"MinCapacity": 2, "MaxCapacity": 10, "SuspendedState": dict(self.state)}]}

    def register_scalable_target(self, ServiceNamespace, ResourceId, ScalableDimension, SuspendedState):
        assert ScalableDimension == "ecs:service:DesiredCount"
        self.state = dict(SuspendedState)
        self.history.append(SuspendedState["DynamicScalingInSuspended"])


SETTINGS = DeploySettings(cluster="shop", service="web", timeout=300, suspend_scale_in=True)


@pytest.mark.parametrize("image,status", [("repo/web:v2", "succeeded"), ("repo/web:broken", "rolled_back")])
def test_scale_in_suspended_during_the_rollout_and_restored(image, status):
    clock = FakeClock()
    ecs, scaling = FakeEcs(clock), FakeScaling()
    seen_during = []
    real_sleep = clock.sleep

    def sleep(seconds):
        seen_during.append(scaling.state["DynamicScalingInSuspended"])
        real_sleep(seconds)

    clock.sleep = sleep
    view = View()
    outcome = roll_out(FakeAws(ecs, application_autoscaling=scaling), SETTINGS, ecs.register("web", image), view, clock=clock)
    assert outcome.status == status
    assert seen_during and all(seen_during)
    assert scaling.history == [True, False]
    assert scaling.state["DynamicScalingInSuspended"] is False
    assert ecs.service["desiredCount"] == 2  # never touched
    assert "autoscaling scale-in restored" in view.notes


def test_watch_current_follows_the_rollout_in_progress():
    clock = FakeClock()
    ecs = FakeEcs(clock)
    aws = FakeAws(ecs, application_autoscaling=FakeScaling())
    roll_out(aws, DeploySettings(cluster="shop", service="web"), ecs.register("web", "repo/web:v2"), View(), clock=clock, wait=False)
    outcome = watch_current(aws, DeploySettings(cluster="shop", service="web"), View(), clock=clock)
    assert outcome.status == "succeeded" and outcome.new_revision == "web:2"
    again = watch_current(aws, DeploySettings(cluster="shop", service="web"), View(), clock=clock)
    assert again.status == "unchanged" and again.serving == "web:2"
