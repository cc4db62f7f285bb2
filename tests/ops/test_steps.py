"""deploy.before / deploy.after: one-off steps with the new revision around a deploy (issue #15).

Relies on the local AWS's outcome rule (docs/local.md: a command ending `exit N` exits N) and ECS
TagResource on task definitions (the steps are recorded as a tag on the deployed revision).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from tests.deploy.test_e2e import WORKER, applied, service_of


def manifest(tmp_path: Path, before=None, after=None) -> str:
    data = yaml.safe_load(Path(WORKER).read_text())
    if before is not None:
        data["deploy"]["before"] = before
    if after is not None:
        data["deploy"]["after"] = after
    path = tmp_path / "ecsship.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def test_failing_before_step_stops_the_deploy_and_leaves_the_service_alone(run_cli, aws, tmp_path):
    path = manifest(tmp_path, before=[{"name": "migrate", "command": ["sh", "-c", "exit 4"], "timeout": "5m"}])
    old = applied(run_cli, aws, path, "worker")["taskDefinition"]
    result = run_cli("deploy", "-f", path, "--image-tag", "v2")
    assert result.exit_code == 1, result.output
    assert "deploy.before step migrate exited 4" in result.stderr
    assert "$ sh -c 'exit 4'" in result.stdout  # its log lines
    svc = service_of(aws, "worker")
    assert svc["taskDefinition"] == old and len(svc["deployments"]) == 1


def test_passing_steps_deploy_and_show_in_history(run_cli, aws, tmp_path):
    path = manifest(tmp_path, before=[{"name": "migrate", "command": ["bin/migrate", "up"]}],
                    after=[{"name": "contract", "command": ["bin/migrate", "contract"]}])
    applied(run_cli, aws, path, "worker")
    result = run_cli("deploy", "-f", path, "--image-tag", "v2")
    assert result.exit_code == 0, result.output
    assert result.stdout.index("step migrate: started task") < result.stdout.index("deployed shop-worker:2")
    assert result.stdout.index("deployed shop-worker:2") < result.stdout.index("step contract: started task")
    # the before step ran the NEW image
    ecs = aws.client("ecs")
    arns = ecs.list_tasks(cluster="shop", startedBy="ecsship-before-migrate", desiredStatus="STOPPED")["taskArns"]
    [task] = ecs.describe_tasks(cluster="shop", tasks=arns)["tasks"]
    assert task["taskDefinitionArn"].endswith("shop-worker:2")
    history = run_cli("history", "-f", path)
    assert history.exit_code == 0, history.output
    assert "steps: before migrate exit 0, after contract exit 0" in history.stdout


def test_step_schema_errors_name_the_field(run_cli, aws, tmp_path):
    path = manifest(tmp_path, before=[{"name": "Migrate!", "command": []}])
    result = run_cli("validate", "-f", path)
    assert result.exit_code == 2
    assert "deploy.before[0].name" in result.stderr or "deploy.before.0.name" in result.stderr, result.stderr
