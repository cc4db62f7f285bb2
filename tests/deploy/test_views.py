"""The three output modes, on one scripted rollout. Plain lines and JSON lines are snapshot-tested."""
from __future__ import annotations

import io
import json

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.rollout import follow
from ecsship.deploy.settings import DeploySettings
from ecsship.ui.deploy_view import JsonView, LiveView, PlainView
from ecsship.ui.output import Output

from tests.deploy.scripted import ScriptedTracker, snap
from tests.doubles import FakeAws, TaggingEcs

SETTINGS = DeploySettings(cluster="shop", service="web", timeout=600)


def canary_rollout():
    # ECS lists service events newest first.
    return ScriptedTracker([
        snap(phase="SCALE_UP", new=(2, 2, 0, 0), traffic_new=0.0, traffic_old=100.0, alarms=(("web-5xx", "OK"),)),
        snap(phase="PRODUCTION_TRAFFIC_SHIFT", new=(2, 0, 2, 0), traffic_new=10.0, traffic_old=90.0, alarms=(("web-5xx", "OK"),),
             targets=(("healthy", 4),), wait_left=300, wait_kind="canary bake",
             events=[(2, "(service web) registered 2 targets in (target-group web-green)"), (1, "(service web) has started 2 tasks.")]),
        snap(phase="BAKE_TIME", new=(2, 0, 2, 0), traffic_new=100.0, traffic_old=0.0, alarms=(("web-5xx", "OK"),),
             targets=(("healthy", 4),), events=[(2, "(service web) registered 2 targets in (target-group web-green)"), (1, "(service web) has started 2 tasks.")]),
        snap("succeeded", new=(2, 0, 2, 0), old=(0, 0, 0, 0), traffic_new=100.0, traffic_old=0.0, alarms=(("web-5xx", "OK"),),
             targets=(("healthy", 2),), serving="web:2",
             events=[(3, "(service web) has reached a steady state."), (2, "(service web) registered 2 targets in (target-group web-green)"), (1, "(service web) has started 2 tasks.")]),
    ])


PLAIN = """\
[    0s] deployment ecs-svc/1: web:1 → web:2
[    0s] phase: SCALE_UP
[    0s] web:2 (new): 0/2 running, 2 pending
[    0s] web:1 (old): 2/2 running
[    0s] production traffic: web:2 0%, web:1 100%
[    0s] alarm web-5xx: OK
[    3s] phase: PRODUCTION_TRAFFIC_SHIFT
[    3s] web:2 (new): 2/2 running
[    3s] production traffic: web:2 10%, web:1 90%
[    3s] targets: 4 healthy
[    3s] (service web) has started 2 tasks.
[    3s] (service web) registered 2 targets in (target-group web-green)
[    3s] canary bake: 5m left
[    6s] phase: BAKE_TIME
[    6s] production traffic: web:2 100%, web:1 0%
[    9s] web:1 (old): 0/0 running
[    9s] targets: 2 healthy
[    9s] (service web) has reached a steady state.
[    9s] ✔ deployment completed; web:2 serves
✔ deployed web:2 in 9s (deployment ecs-svc/1)
"""


def test_plain_view_one_line_per_change():
    stream = io.StringIO()
    view = PlainView(Output("text", color=False), stream=stream)
    outcome = follow(FakeAws(TaggingEcs()), SETTINGS, canary_rollout(), view, FakeClock())
    view.outcome(outcome)
    assert stream.getvalue() == PLAIN


def test_json_view_one_object_per_line(capsys):
    view = JsonView(Output("json", color=False))
    outcome = follow(FakeAws(TaggingEcs()), SETTINGS, canary_rollout(), view, FakeClock())
    view.outcome(outcome)
    lines = capsys.readouterr().out.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["event"] for o in objects] == [
        "started", "phase", "tasks", "tasks", "traffic", "alarm",
        "phase", "tasks", "traffic", "targets", "service_event", "service_event", "wait",
        "phase", "traffic",
        "tasks", "targets", "service_event", "state", "outcome",
    ]
    assert objects[0] == {"event": "started", "t": 0.0, "severity": "info", "message": "deployment ecs-svc/1: web:1 → web:2",
                          "deployment_id": "ecs-svc/1", "old": "web:1", "new": "web:2"}
    assert objects[8]["traffic"] == {"web:2": 10.0, "web:1": 90.0}
    assert objects[12]["seconds_left"] == 300
    assert objects[-1]["status"] == "succeeded" and objects[-1]["exit_code"] == 0 and objects[-1]["serving"] == "web:2"


def test_live_view_renders_the_panel_and_the_outcome(monkeypatch):
    import sys

    from rich.console import Console

    buffer = io.StringIO()
    out = Output("text", color=False)
    monkeypatch.setattr(sys, "stdout", buffer)
    console = Console(file=buffer, force_terminal=True, width=120, color_system=None)
    monkeypatch.setattr(Output, "out", property(lambda self: console))
    view = LiveView(out)
    outcome = follow(FakeAws(TaggingEcs()), SETTINGS, canary_rollout(), view, FakeClock())
    view.outcome(outcome)
    text = buffer.getvalue()
    assert "production traffic: web:2 10%, web:1 90%" in text
    assert "(service web) has reached a steady state." in text
    assert "deployed web:2" in text
    assert "revision" in text and "traffic" in text  # the live table was drawn
