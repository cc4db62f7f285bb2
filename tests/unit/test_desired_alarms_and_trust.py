"""Desired-model decisions about alarms, scaling and trust (pure: no AWS)."""
from __future__ import annotations

import json

import pytest

from ecsship.desired import build
from ecsship.errors import ManifestError
from ecsship.manifest import load_manifest

BASE = {
    "service": "api", "cluster": "shop", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1",
    "port": 8080, "network": {"vpc": {"tags": {"Name": "main"}}, "subnets": {"tags": {"tier": "private"}}},
    "load_balancer": {"alb": "main", "host": "api.example.com", "priority": 10},
    "scaling": {"min": 2, "max": 4, "cpu": 60},
    "observability": {"alarms": {"http_5xx_percent": 5}},
}


def desired(tmp_path, **changes):
    data = json.loads(json.dumps(BASE))
    data.update(changes)
    path = tmp_path / "m.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return build(load_manifest(str(path), environ={}))


def keys(model) -> set:
    return {res.key for res in model.resources}


def test_running_below_min_only_with_container_insights(tmp_path):
    """RunningTaskCount is an ECS/ContainerInsights metric ("Amazon ECS Container Insights metrics",
    AWS docs): without Container Insights the alarm is INSUFFICIENT_DATA forever (issue #12 item 19)."""
    assert "alarm.running-below-min" not in keys(desired(tmp_path))
    on = {"container_insights": True, "alarms": {"http_5xx_percent": 5}}
    assert "alarm.running-below-min" in keys(desired(tmp_path, observability=on))


def test_asking_for_running_below_min_without_insights_is_a_validate_error(tmp_path):
    with pytest.raises(ManifestError) as error:
        desired(tmp_path, observability={"alarms": {"running_below_min": True}})
    assert [p.field for p in error.value.problems] == ["observability.alarms.running_below_min"]
