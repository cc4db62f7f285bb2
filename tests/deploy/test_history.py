"""`history` rows from the service-deployments API, and from last-good tags where that API is missing."""
from __future__ import annotations

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.history import recent
from ecsship.deploy.rollout import roll_out
from ecsship.deploy.settings import DeploySettings
from ecsship.ui.status_view import history_lines

from tests.deploy.fake_ecs import FakeEcs
from tests.doubles import FakeAws, View

SETTINGS = DeploySettings(cluster="shop", service="web")


def test_history_lists_revision_image_duration_and_outcome_newest_first():
    clock = FakeClock()
    ecs = FakeEcs(clock)
    aws = FakeAws(ecs)
    roll_out(aws, SETTINGS, ecs.register("web", "repo/web:v2"), View(), clock=clock)
    roll_out(aws, SETTINGS, ecs.register("web", "repo/web:broken"), View(), clock=clock)
    rows = recent(aws, SETTINGS)
    assert [(r["revision"], r["image"], r["outcome"]) for r in rows] == [
        ("web:3", "repo/web:broken", "rolled_back"),
        ("web:2", "repo/web:v2", "succeeded"),
    ]
    assert rows[1]["duration"] is not None and 10 <= rows[1]["duration"] <= 20
    text = "\n".join(history_lines(rows))
    assert "web:2" in text and "succeeded" in text and "rolled_back" in text


def test_history_falls_back_to_last_good_tags():
    clock = FakeClock()
    ecs = FakeEcs(clock, service_deployments=False)
    aws = FakeAws(ecs)
    roll_out(aws, SETTINGS, ecs.register("web", "repo/web:v2"), View(), clock=clock)
    rows = recent(aws, SETTINGS)
    assert [r["revision"] for r in rows] == ["web:2"] and rows[0]["outcome"] == "succeeded"
