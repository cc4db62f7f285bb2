"""A failed deploy shows the last lines (up to 20) of a failing task of the new revision next to its
stop reason (issue #15). Relies on botocore `logs GetLogEvents` (startFromHead false: the newest
events) and `ecs ListTasks.desiredStatus` STOPPED (stopped tasks stay listed about an hour).
"""
from __future__ import annotations

import json

from tests.deploy.test_e2e import WORKER, applied


def test_failed_deploy_shows_the_failing_tasks_last_lines(run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    result = run_cli("deploy", "-f", WORKER, "--image-tag", "broken")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    stopped = next(i for i, line in enumerate(lines) if "of shop-worker:2 stopped" in line)
    # The closing outcome says what happened, its reason wrapped on indented lines below (issue #13 item 9).
    closing = max(i for i, line in enumerate(lines) if "rolled back" in line)
    assert closing > stopped and all(line.startswith("  ") for line in lines[closing + 1:])
    assert "circuit breaker" in " ".join(lines[closing:])
    assert "Task failed container health checks" in lines[stopped]
    assert "log lines:" in lines[stopped + 1]
    assert any(line.strip() == "| starting 123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:broken" for line in lines[stopped:])
    assert all(len(line) <= 100 for line in lines[stopped:])  # the closing lines too, since issue #13 item 9


def test_failed_deploy_json_carries_the_failed_task(run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    result = run_cli("--output", "json", "deploy", "-f", WORKER, "--image-tag", "broken")
    assert result.exit_code == 1
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["event"] == "outcome" and outcome["failed_task"]["lines"]
    assert len(outcome["failed_task"]["lines"]) <= 20
