"""Issue #12 item 21: a crash-looping revision is a failed deployment.

ECS's circuit breaker counts a task as failed only when it does not reach RUNNING (stage 1) or fails
its health checks (stage 2, skipped without a load balancer or container health check): "How the
Amazon ECS deployment circuit breaker detects failures", Amazon ECS Developer Guide;
containers-roadmap#1206. So a worker whose new tasks reach RUNNING and then exit (Task.stopCode
EssentialContainerExited, botocore ecs) is a COMPLETED deployment with no task running: `deploy`
watches for `deploy.stability_window` after completion and rolls back.
"""
from __future__ import annotations

import json

from tests.deploy.test_e2e import WORKER, applied, service_of, sim  # noqa: F401 (sim is a fixture)


def _worker_without_health_check(tmp_path, extra: str = "") -> str:
    text = open(WORKER).read()
    start = text.index("health_check:")
    end = text.index("scaling:")
    path = tmp_path / "ecsship.yaml"
    path.write_text(text[:start] + text[end:] + extra)
    return str(path)


def test_crash_looping_revision_fails_and_rolls_back(sim, run_cli, aws, tmp_path):  # noqa: F811
    manifest = _worker_without_health_check(tmp_path)
    aws.configure(fail_mode="exit")
    applied(run_cli, aws, manifest, "worker")
    bad = run_cli("deploy", "-f", manifest, "--image-tag", "broken")
    assert bad.exit_code == 1, bad.output
    assert "stability window 1m: watching shop-worker:2 for crashes" in bad.stdout, bad.stdout
    assert "Essential container in task exited" in bad.stdout and "exit code 1" in bad.stdout
    assert "rolled back" in bad.stdout and "shop-worker:1 serves" in bad.stdout
    assert "deployed shop-worker:2" not in bad.stdout
    svc = service_of(aws, "worker")
    assert svc["taskDefinition"].endswith("shop-worker:1")


def test_stable_revision_passes_the_window_and_json_reports_success(sim, run_cli, aws, tmp_path):  # noqa: F811
    manifest = _worker_without_health_check(tmp_path, "  stability_window: 30s\n")
    applied(run_cli, aws, manifest, "worker")
    ok = run_cli("deploy", "-f", manifest, "--image-tag", "v2", "--output", "json")
    assert ok.exit_code == 0, ok.output
    lines = [json.loads(line) for line in ok.stdout.splitlines()]
    assert lines[-1]["status"] == "succeeded"
    assert service_of(aws, "worker")["taskDefinition"].endswith("shop-worker:2")
