"""The ECS strategy and the engine against an in-memory ECS that behaves like AWS (tests/deploy/fake_ecs.py)."""
from __future__ import annotations

import pytest

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.lastgood import DEPLOYED_AT, previous_good
from ecsship.deploy.rollout import DeployInProgress, roll_out
from ecsship.deploy.settings import DeploySettings

from tests.deploy.fake_ecs import FakeEcs, td_arn
from tests.doubles import FakeAws, View

SETTINGS = DeploySettings(cluster="shop", service="web", timeout=300)


class Collect(View):
    """The shared recording view, plus the events' text in one string."""

    def text(self):
        return "\n".join(e.message for e in self.events)


def setup(sd_api=True):
    clock = FakeClock()
    ecs = FakeEcs(clock, service_deployments=sd_api)
    return clock, ecs, FakeAws(ecs)


def tags(ecs, arn):
    return {t["key"]: t["value"] for t in ecs.task_defs[arn]["tags"]}


@pytest.mark.parametrize("sd_api", [True, False], ids=["service-deployments", "deployments-only"])
def test_rolling_success_tracks_our_deployment_and_tags_the_revision(sd_api):
    clock, ecs, aws = setup(sd_api)
    new = ecs.register("web", "repo/web:v2")
    from datetime import timedelta

    ecs.events.append({"id": "old", "createdAt": ecs.now() - timedelta(hours=1), "message": "(service web) old news"})
    clock.t += 30
    view = Collect()
    outcome = roll_out(aws, SETTINGS, new, view, clock=clock)
    assert outcome.status == "succeeded", outcome
    assert "old news" not in view.text()  # events from before this rollout are not news
    assert outcome.exit_code == 0 and outcome.new_revision == "web:2" and outcome.old_revision == "web:1"
    assert DEPLOYED_AT in tags(ecs, new)
    assert ecs.service["taskDefinition"] == new
    assert 40 <= clock.t < 40 + clock.slept[-1]  # completion seen on the first poll after it happened
    assert "has reached a steady state" in view.text()
    assert "has started 2 tasks" in view.text()


@pytest.mark.parametrize("sd_api", [True, False], ids=["service-deployments", "deployments-only"])
def test_broken_image_circuit_breaker_rollback_is_exit_1_and_old_revision_serves(sd_api):
    clock, ecs, aws = setup(sd_api)
    bad = ecs.register("web", "repo/web:broken")
    view = Collect()
    outcome = roll_out(aws, SETTINGS, bad, view, clock=clock)
    assert outcome.status == "rolled_back" and outcome.exit_code == 1
    assert outcome.serving == "web:1"
    assert ecs.service["taskDefinition"] == td_arn("web", 1)
    assert DEPLOYED_AT not in tags(ecs, bad)
    assert "3× Task failed ELB health checks" in view.text()
    assert "circuit breaker" in (outcome.reason + view.text())


@pytest.mark.parametrize("sd_api", [True, False], ids=["service-deployments", "deployments-only"])
def test_timeout_rolls_back(sd_api):
    clock, ecs, aws = setup(sd_api)
    stuck = ecs.register("web", "repo/web:hang")
    outcome = roll_out(aws, SETTINGS, stuck, Collect(), clock=clock, timeout=60)
    assert outcome.status == "timed_out" and outcome.exit_code == 1
    assert "StopServiceDeployment" in ecs.calls if sd_api else ecs.calls.count("UpdateService") == 2
    assert ecs.service["taskDefinition"] == td_arn("web", 1)
    assert "web:1 serves" in outcome.reason


def test_refuses_while_another_deployment_is_in_progress_unless_forced():
    clock, ecs, aws = setup()
    stuck = ecs.register("web", "repo/web:hang")
    roll_out(aws, SETTINGS, stuck, Collect(), clock=clock, wait=False)
    nxt = ecs.register("web", "repo/web:v3")
    with pytest.raises(DeployInProgress) as info:
        roll_out(aws, SETTINGS, nxt, Collect(), clock=clock)
    assert "in progress" in info.value.message and "--force" in info.value.hint
    assert ecs.calls.count("UpdateService") == 1
    started = roll_out(aws, SETTINGS, nxt, Collect(), clock=clock, wait=False, force=True)
    assert started.status == "started" and started.deployment_id


def test_unchanged_revision_is_not_redeployed():
    clock, ecs, aws = setup()
    outcome = roll_out(aws, SETTINGS, td_arn("web", 1), Collect(), clock=clock)
    assert outcome.status == "unchanged" and outcome.exit_code == 0
    assert "UpdateService" not in ecs.calls


def test_no_wait_returns_the_deployment_id_at_once():
    clock, ecs, aws = setup()
    new = ecs.register("web", "repo/web:v2")
    outcome = roll_out(aws, SETTINGS, new, Collect(), clock=clock, wait=False)
    assert outcome.status == "started" and outcome.deployment_id.startswith("arn:aws:ecs:")
    assert clock.t == 0


def test_previous_good_skips_revisions_that_never_deployed():
    clock, ecs, aws = setup()
    r1 = td_arn("web", 1)
    ecs.tag_resource(r1, [{"key": DEPLOYED_AT, "value": "t0"}])
    r2 = ecs.register("web", "repo/web:v2")
    roll_out(aws, SETTINGS, r2, Collect(), clock=clock)
    r3 = ecs.register("web", "repo/web:broken")
    roll_out(aws, SETTINGS, r3, Collect(), clock=clock)
    r4 = ecs.register("web", "repo/web:v4")
    roll_out(aws, SETTINGS, r4, Collect(), clock=clock)
    assert previous_good(aws, SETTINGS, r4) == r2  # not r3, which never deployed
    assert previous_good(aws, SETTINGS, r2) == r1
