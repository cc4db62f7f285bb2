"""Issue 13 item 9: the TTY (live) deploy view fits 100 columns; it and the CI (plain) view of an ECS-native blue/green rollout with
long names fit 100 columns and name target groups and deployments by short name or id, never ARN.

ECS service events carry full ARNs ("... is unhealthy in (target-group arn:aws:elasticloadbalancing:...)":
Amazon ECS developer guide, "Amazon ECS service event messages"); the JSON events keep them.
"""
from __future__ import annotations

import io
import json

from ecsship.deploy.clock import FakeClock
from ecsship.deploy.model import RevisionState, ServiceEvent, Snapshot
from ecsship.deploy.rollout import follow
from ecsship.deploy.settings import DeploySettings
from ecsship.ui.deploy_view import JsonView, LiveView, PlainView
from ecsship.ui.output import Output

from tests.deploy.scripted import ScriptedTracker
from tests.doubles import FakeAws, TaggingEcs

SETTINGS = DeploySettings(cluster="shop", service="checkout-api", timeout=600)
SD = "arn:aws:ecs:us-east-1:123456789012:service-deployment/shop-production/shop-checkout-api/AbCdEfGh0123456789"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-checkout-api-blue/0123456789abcdef"
NEW, OLD = "shop-production-checkout-api:12", "shop-production-checkout-api:11"


def _snap(state="in_progress", events=(), **kw) -> Snapshot:
    revs = (RevisionState(NEW, "new", 3, 0, kw.pop("running", 0), kw.pop("failed", 0), traffic=kw.pop("traffic", 0.0)),
            RevisionState(OLD, "old", 3, 0, 3, 0, traffic=100.0))
    evs = tuple(ServiceEvent(f"e{i}", f"2026-01-01T00:00:{i:02d}Z", m) for i, m in events)
    return Snapshot(deployment_id=SD, state=state, phase=kw.pop("phase", "SCALE_UP"), revisions=revs, events=evs, **kw)


def _rollout() -> ScriptedTracker:
    unhealthy = [(i, f"(service checkout-api) (task {t}) (port 8080) is unhealthy in (target-group {TG}) due to "
                     "(reason Health checks failed with these codes: [502]).") for i, t in ((1, "a1"), (2, "b2"), (3, "c3"))]
    return ScriptedTracker([
        _snap(),
        _snap(running=3, phase="TEST_TRAFFIC_SHIFT", events=[(4, f"(service checkout-api) registered 3 targets in (target-group {TG})")]),
        _snap(running=3, failed=3, phase="PRODUCTION_TRAFFIC_SHIFT", events=unhealthy, targets=(("unhealthy", 3),)),
        _snap("rolled_back", running=0, failed=3, phase="ROLLBACK_SUCCESSFUL", serving=OLD,
              reason=f"deployment {SD} failed: tasks failed their health checks in target group {TG}"),
    ], old_td=f"arn:aws:ecs:us-east-1:123456789012:task-definition/{OLD}", new_td=f"arn:aws:ecs:us-east-1:123456789012:task-definition/{NEW}")


def _check(text: str, width: int | None = 100) -> list[str]:
    lines = text.splitlines()
    assert lines, "the view printed something"
    if width is not None:
        assert max(len(line) for line in lines) <= width, "\n".join(line for line in lines if len(line) > width)
    assert not [line for line in lines if "arn:" in line], text
    return lines


def test_plain_view_one_line_per_change_without_arns():
    stream = io.StringIO()
    view = PlainView(Output("text", color=False), stream=stream)
    view.outcome(follow(FakeAws(TaggingEcs()), SETTINGS, _rollout(), view, FakeClock()))
    # The plain view keeps one line per change, never wrapped (CI logs are grepped): long lines are made
    # short instead (ECS's "(service NAME) " dropped, AWS's reason cut at a word).
    lines = _check("\n".join(stream.getvalue().splitlines()[:-1]))  # the closing line: not yet
    joined = "\n".join(lines)
    assert "3× (port 8080) is unhealthy in (target-group shop-checkout-api-blue) due to" in joined
    assert "deployment AbCdEfGh: " in joined


def test_live_view_fits_100_columns_without_arns(monkeypatch):
    import sys

    from rich.console import Console

    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stdout", buffer)
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None, soft_wrap=True, emoji=False)
    monkeypatch.setattr(Output, "out", property(lambda self: console))
    view = LiveView(Output("text", color=False))
    view.outcome(follow(FakeAws(TaggingEcs()), SETTINGS, _rollout(), view, FakeClock()))
    text = buffer.getvalue()
    # Live redraws use cursor controls; what a person reads is each line between them.
    import re

    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "\n", text).replace("\r", "\n")
    lines = _check(plain)
    assert "unhealthy in (target-group shop-checkout-api-blue)" in " ".join(line.strip() for line in lines)


def test_json_keeps_the_full_arns(capsys):
    view = JsonView(Output("json", color=False))
    view.outcome(follow(FakeAws(TaggingEcs()), SETTINGS, _rollout(), view, FakeClock()))
    objects = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert objects[0]["deployment_id"] == SD
    assert any(TG in o.get("message_full", "") for o in objects if o["event"] == "service_event")


def test_live_view_of_a_real_broken_deploy_fits_100_columns_without_arns(aws, run_cli, monkeypatch):
    """The TTY view of a real journey on the local AWS (rolling deploy of a broken image, rolled back by
    the circuit breaker): every line a person reads fits 100 columns and names no ARN."""
    import re

    from rich.console import Console

    from tests.deploy.test_e2e import WORKER, applied

    monkeypatch.delenv("CI", raising=False)
    applied(run_cli, aws, WORKER, "worker")
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100, color_system=None, soft_wrap=True, emoji=False)
    monkeypatch.setattr(Output, "out", property(lambda self: console))
    monkeypatch.setattr(Output, "is_tty", property(lambda self: True))
    bad = run_cli("deploy", "-f", WORKER, "--image-tag", "broken")
    assert bad.exit_code == 1, bad.output
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "\n", buffer.getvalue() + bad.stdout).replace("\r", "\n")
    lines = _check(plain)
    assert any("rolled back" in line and "shop-worker:1 serves" in line for line in lines), plain


def _plain_lines(name: str, result) -> list[str]:
    """Every text line a command printed (stdout and stderr), labelled for the failure message."""
    return [f"{name}: {line}" for line in (result.stdout + result.stderr).splitlines()]


def _too_wide_or_arn(lines: list[str]) -> list[str]:
    return [line for line in lines if len(line.split(": ", 1)[1]) > 100 or "arn:aws:" in line]


def test_plain_rolling_journey_fits_100_columns_without_arns(aws, run_cli, tmp_path):
    """Issue 13 item 9: every line of the main rolling journey in plain (CI) mode fits 100 columns and
    names no full ARN (`--output json` keeps them): validate, plan, apply, deploy, a failing deploy the
    circuit breaker rolls back, status, history, rollback, and destroy's plan (not confirmed)."""
    from tests.deploy.test_e2e import WORKER

    lines = []
    for name, args, code in (("validate", ("validate", "-f", WORKER), 0), ("plan", ("plan", "-f", WORKER), 0),
                             ("apply", ("apply", "-f", WORKER, "--yes"), 0),  # follows the first rollout to its end
                             ("deploy", ("deploy", "-f", WORKER, "--image-tag", "v2"), 0),
                             ("deploy broken", ("deploy", "-f", WORKER, "--image-tag", "broken"), 1),
                             ("status", ("status", "-f", WORKER), 0),
                             ("history", ("history", "-f", WORKER), 0),
                             ("rollback", ("rollback", "-f", WORKER), 0),
                             ("plan v3", ("plan", "-f", WORKER, "--var", "IMAGE_TAG=v3"), 0)):
        result = run_cli(*args)
        assert result.exit_code == code, (name, result.output)
        lines += _plain_lines(name, result)
    destroy = run_cli("destroy", "-f", WORKER, input="no\n")
    assert destroy.exit_code != 0 and "shop-worker" in destroy.stdout
    lines += _plain_lines("destroy", destroy)
    assert not _too_wide_or_arn(lines), "\n".join(_too_wide_or_arn(lines))
