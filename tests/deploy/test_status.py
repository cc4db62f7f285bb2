"""`status` data and its text rendering, on the AWS-like fake (a rollout in progress, scaling, no LB)."""
from __future__ import annotations

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.rollout import roll_out
from ecsship.deploy.settings import DeploySettings
from ecsship.deploy.status import gather
from ecsship.ui.status_view import status_lines

from tests.deploy.fake_ecs import FakeEcs
from tests.deploy.test_scaling_suspend import FakeScaling
from tests.doubles import FakeAws, View


def test_status_shows_both_revisions_of_a_rollout_in_progress_and_scaling():
    clock = FakeClock()
    ecs, scaling = FakeEcs(clock), FakeScaling()
    aws = FakeAws(ecs, application_autoscaling=scaling)
    settings = DeploySettings(cluster="shop", service="web")
    roll_out(aws, settings, ecs.register("web", "repo/web:hang"), View(), clock=clock, wait=False)
    clock.t += 5
    data = gather(aws, settings)
    assert [(d["status"], d["revision"], d["rollout_state"]) for d in data["deployments"]] == [
        ("PRIMARY", "web:2", "IN_PROGRESS"), ("ACTIVE", "web:1", "COMPLETED")]
    assert data["scaling"]["min"] == 2 and data["scaling"]["max"] == 10
    text = "\n".join(status_lines(data))
    assert "service web in cluster shop: active" in text
    assert "primary  web:2" in text and "in_progress" in text
    assert "scaling: min 2, max 10, desired 2" in text
