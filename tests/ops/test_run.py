"""`ecsship run` against the local AWS: a one-off task like the service's, its lines, its exit code.

Relies on botocore `ecs RunTask` (overrides.containerOverrides[].command replaces the command;
startedBy), `ecs Container.exitCode` (only a container that ran has one) and `ecs Task.stoppedReason`;
the local AWS's outcome rule (docs/local.md: a command ending `exit N` exits N, a `*broken*` image 1).
"""
from __future__ import annotations

import json

from tests.deploy.test_e2e import WORKER, applied

SERVICE_TAGS = {"ecsship:service": "worker", "ecsship:cluster": "shop"}


def _tasks(aws, started_by="ecsship-run"):
    ecs = aws.client("ecs")
    arns = ecs.list_tasks(cluster="shop", startedBy=started_by, desiredStatus="STOPPED")["taskArns"]
    return ecs.describe_tasks(cluster="shop", tasks=arns)["tasks"] if arns else []


def test_run_exits_with_the_container_exit_code(run_cli, aws):
    svc = applied(run_cli, aws, WORKER, "worker")
    result = run_cli("run", "-f", WORKER, "--", "sh", "-c", "exit 3")
    assert result.exit_code == 3, result.output
    assert "exited 3" in result.stdout
    [task] = _tasks(aws)
    # the service's own revision and network, the command overridden
    assert task["taskDefinitionArn"] == svc["taskDefinition"]
    assert task["overrides"]["containerOverrides"] == [{"name": "worker", "command": ["sh", "-c", "exit 3"]}]
    subnet = next(d["value"] for d in task["attachments"][0]["details"] if d["name"] == "subnetId")
    assert subnet in svc["networkConfiguration"]["awsvpcConfiguration"]["subnets"]


def test_run_streams_the_log_lines_and_exits_0(run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    result = run_cli("run", "-f", WORKER, "--", "bin/migrate", "up")
    assert result.exit_code == 0, result.output
    assert "$ bin/migrate up" in result.stdout and "exiting with code 0" in result.stdout
    assert "exited 0" in result.stdout
    assert all(len(line) <= 100 for line in result.stdout.splitlines())


def test_broken_image_runs_as_a_one_off_revision_and_fails(run_cli, aws):
    svc = applied(run_cli, aws, WORKER, "worker")
    result = run_cli("run", "-f", WORKER, "--image-tag", "broken", "--", "bin/migrate")
    assert result.exit_code == 1, result.output
    assert "Essential container in task exited" in result.stdout
    [task] = _tasks(aws)
    assert task["taskDefinitionArn"] != svc["taskDefinition"]
    assert task["taskDefinitionArn"].endswith(":task-definition/shop-worker-oneoff:1")  # the service's family keeps its numbers
    tags = aws.client("ecs").describe_task_definition(taskDefinition=task["taskDefinitionArn"], include=["TAGS"])["tags"]
    assert {"key": "ecsship:one-off", "value": "true"} in tags
    # never the service's revision
    assert aws.client("ecs").describe_services(cluster="shop", services=["worker"])["services"][0]["taskDefinition"] == svc["taskDefinition"]


def test_a_task_that_never_runs_prints_the_stop_reason_and_exits_1(run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    ecr = aws.client("ecr")
    # The tag exists when ecsship checks it and is gone when ECS pulls: PENDING -> STOPPED, no exit code.
    from ecsship.local.seed import image_manifest

    ecr.put_image(repositoryName="worker", imageTag="gone", imageManifest=image_manifest("worker", "gone"))
    import ecsship.ops.run as run_module

    original = run_module.start

    def start_then_delete(*args, **kwargs):
        task = original(*args, **kwargs)
        ecr.batch_delete_image(repositoryName="worker", imageIds=[{"imageTag": "gone"}])
        return task

    run_module.start = start_then_delete
    try:
        result = run_cli("run", "-f", WORKER, "--image-tag", "gone", "--", "bin/migrate")
    finally:
        run_module.start = original
    assert result.exit_code == 1, result.output
    assert "stopped without an exit code: CannotPullContainerError" in result.stdout


def test_timeout_stops_the_task_and_exits_1(run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    result = run_cli("run", "-f", WORKER, "--timeout", "5s", "--", "sleep", "60")
    assert result.exit_code == 1, result.output
    [task] = _tasks(aws)
    assert task["stopCode"] == "UserInitiated" and "timed out" in task["stoppedReason"]


def test_detach_prints_the_task_arn(run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    result = run_cli("run", "-f", WORKER, "--detach", "--", "bin/migrate")
    assert result.exit_code == 0, result.output
    arn = result.stdout.strip().splitlines()[-1]
    assert arn.startswith("arn:aws:ecs:") and ":task/shop/" in arn


def test_json_output_is_one_event_per_line(run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    result = run_cli("--output", "json", "run", "-f", WORKER, "--", "sh", "-c", "echo hi; exit 2")
    assert result.exit_code == 2, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[0]["event"] == "started" and events[-1]["event"] == "stopped"
    assert {e["event"] for e in events[1:-1]} == {"log"}
    assert events[-1]["exit_code"] == 2 and events[-1]["reason"] == "Essential container in task exited"


def test_run_without_a_service_is_one_clear_error(run_cli, aws):
    result = run_cli("run", "-f", WORKER, "--", "bin/migrate")
    assert result.exit_code == 1 and result.exception is None
    assert "run `ecsship apply` first" in result.stderr and "Traceback" not in result.output


def test_destroy_deregister_includes_the_one_off_revisions(run_cli, aws):
    """destroy --deregister removes the one-off family's revisions too (botocore `ecs
    DeregisterTaskDefinition`; ListTaskDefinitions(familyPrefix, status ACTIVE) lists what is left)."""
    applied(run_cli, aws, WORKER, "worker")
    assert run_cli("run", "-f", WORKER, "--image-tag", "v2", "--", "bin/migrate").exit_code == 0
    ecs = aws.client("ecs")
    assert ecs.list_task_definitions(familyPrefix="shop-worker-oneoff", status="ACTIVE")["taskDefinitionArns"]
    result = run_cli("destroy", "-f", WORKER, "--yes", "--deregister")
    assert result.exit_code == 0, result.output
    assert ecs.list_task_definitions(familyPrefix="shop-worker-oneoff", status="ACTIVE")["taskDefinitionArns"] == []


def test_ctrl_c_while_watching_exits_130_and_says_the_task_keeps_running(run_cli, aws, monkeypatch):
    from ecsship.deploy.clock import FakeClock

    applied(run_cli, aws, WORKER, "worker")

    def interrupt(seconds):
        raise KeyboardInterrupt

    result = run_cli("run", "-f", WORKER, "--", "bin/migrate", clock=FakeClock(on_sleep=interrupt))
    assert result.exit_code == 130 and result.exception is None
    assert "keeps running" in result.stderr and "aws ecs stop-task" in result.stderr


def test_run_on_a_codedeploy_service_uses_its_primary_task_set(run_cli, aws):
    """A CODE_DEPLOY service's tasks run what its PRIMARY task set says (botocore `ecs TaskSet`:
    taskDefinition, networkConfiguration, capacityProviderStrategy of its own)."""
    from tests.deploy.test_e2e import EXAMPLES

    bluegreen = str(EXAMPLES / "bluegreen" / "ecsship.yaml")
    assert run_cli("apply", "-f", bluegreen, "--yes").exit_code == 0
    result = run_cli("run", "-f", bluegreen, "--", "sh", "-c", "exit 5")
    assert result.exit_code == 5, result.output
