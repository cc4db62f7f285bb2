"""`ecsship logs` against the local AWS: labelled lines of the service's tasks, --follow until Ctrl-C.

Relies on the awslogs stream naming `prefix/container-name/task-id` (ECS Developer Guide, "Send
Amazon ECS logs to CloudWatch"), botocore `logs FilterLogEvents` and `ecs ListTasks.family`.
"""
from __future__ import annotations

import json

import pytest

from ecsship.deploy.clock import FakeClock

from tests.deploy.test_e2e import WORKER, applied


def test_logs_since_prints_labelled_lines_of_the_service_tasks(run_cli, aws):
    svc = applied(run_cli, aws, WORKER, "worker")
    result = run_cli("logs", "-f", WORKER, "--since", "1h")
    assert result.exit_code == 0, result.output
    task_ids = [a.rsplit("/", 1)[-1] for a in aws.client("ecs").list_tasks(cluster="shop", serviceName="worker")["taskArns"]]
    assert task_ids
    lines = [line for line in result.stdout.splitlines() if "| starting " in line]
    assert {line.split()[1] for line in lines} == {t[:8] for t in task_ids}
    assert all("shop-worker:1" in line for line in lines), lines
    assert svc["taskDefinition"].endswith("shop-worker:1")


def test_logs_filters_and_json(run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    assert run_cli("run", "-f", WORKER, "--", "bin/migrate", "up").exit_code == 0
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "v2").exit_code == 0
    result = run_cli("--output", "json", "logs", "-f", WORKER, "--since", "1h", "--revision", "2")
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events and {e["revision"] for e in events} == {"shop-worker:2"}
    assert all(e["event"] == "log" for e in events)
    one_off = [e for e in json.loads("[" + ",".join(run_cli("--output", "json", "logs", "-f", WORKER, "--since", "1h").stdout.splitlines()) + "]")
               if e["message"] == "$ bin/migrate up"]
    assert len(one_off) == 1
    only = run_cli("logs", "-f", WORKER, "--since", "1h", "--task", one_off[0]["task_id"][:8])
    assert only.exit_code == 0 and "$ bin/migrate up" in only.stdout
    assert {line.split()[1] for line in only.stdout.splitlines()} == {one_off[0]["task_id"][:8]}


def test_follow_streams_new_lines_until_ctrl_c(run_cli, aws, monkeypatch):
    applied(run_cli, aws, WORKER, "worker")
    sleeps = []

    def on_sleep(seconds):
        sleeps.append(seconds)
        aws.advance(seconds)
        if len(sleeps) == 2:  # a one-off task starts while we follow
            aws.client("ecs").run_task(cluster="shop", taskDefinition="shop-worker:1", launchType="FARGATE",
                                       overrides={"containerOverrides": [{"name": "worker", "command": ["bin/late"]}]},
                                       networkConfiguration=aws.client("ecs").describe_services(cluster="shop", services=["worker"])["services"][0]["networkConfiguration"])
        if len(sleeps) >= 12:
            raise KeyboardInterrupt

    clock = FakeClock(on_sleep=on_sleep)
    result = run_cli("logs", "-f", WORKER, "--follow", clock=clock)
    assert result.exit_code == 130, result.output
    assert "$ bin/late" in result.stdout


@pytest.mark.parametrize("args", [["--task", "x", "--revision", "1"], ["--revision", "0"]])
def test_bad_filters_are_usage_errors(run_cli, aws, args):
    result = run_cli("logs", "-f", WORKER, *args)
    assert result.exit_code == 2 and result.exception is None
