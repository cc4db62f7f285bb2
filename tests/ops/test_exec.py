"""`ecsship exec` and the local AWS's ExecuteCommand (issue #15).

AWS sources: botocore `ecs ExecuteCommand` (interactive "the only mode supported"; the
InvalidParameterException for a task without execute command; TargetNotConnectedException when the
agent cannot be reached), ECS Developer Guide "Using Amazon ECS Exec for debugging" (the
ssmmessages permissions and the Session Manager VPC endpoint).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.deploy.test_e2e import WORKER, applied


def test_exec_on_a_service_without_execute_command_names_the_field(run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    result = run_cli("exec", "-f", WORKER, "--", "sh")
    assert result.exit_code == 1 and result.exception is None
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "execute_command: true" in errors[0], result.stderr
    assert "Traceback" not in result.output


def test_exec_checks_then_says_the_local_aws_cannot_open_a_session(run_cli, aws, tmp_path):
    data = yaml.safe_load(Path(WORKER).read_text())
    data["execute_command"] = True
    path = tmp_path / "ecsship.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    applied(run_cli, aws, str(path), "worker")
    result = run_cli("exec", "-f", str(path), "--", "sh")
    assert result.exit_code == 1 and result.exception is None
    assert "✔ ECS Exec is enabled on the service" in result.stdout
    assert "✔ the task role allows the ssmmessages channels" in result.stdout
    # the worker example uses endpoints without ssmmessages: named with its fix
    assert "none for ssmmessages — add ssmmessages to network.endpoints" in result.stdout
    data["network"]["endpoints"].append("ssmmessages")
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert run_cli("apply", "-f", str(path), "--yes").exit_code == 0
    again = run_cli("exec", "-f", str(path), "--", "sh")
    assert again.exit_code == 1
    assert "the local AWS cannot open an ECS Exec session" in again.stderr


def test_validate_warns_about_exec_without_an_ssmmessages_endpoint(run_cli, tmp_path):
    data = yaml.safe_load(Path(WORKER).read_text())
    data["execute_command"] = True
    path = tmp_path / "ecsship.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = run_cli("validate", "-f", str(path))
    assert result.exit_code == 0
    assert "execute_command: warning: tasks use VPC endpoints but there is none for ssmmessages" in result.stderr


@pytest.mark.parametrize("enable", [False, True])
def test_local_execute_command_answers_like_aws(aws, enable):
    from tests.local.helpers import rolling_service

    rolling_service(aws, desired=1, load_balancer=False, enableExecuteCommand=enable)
    ecs = aws.client("ecs")
    for _ in range(30):
        arns = ecs.list_tasks(cluster="shop", serviceName="checkout-api")["taskArns"]
        if arns and ecs.describe_tasks(cluster="shop", tasks=arns)["tasks"][0]["lastStatus"] == "RUNNING":
            break
        aws.advance(2)
    with pytest.raises(ecs.exceptions.ClientError) as raised:
        ecs.execute_command(cluster="shop", task=arns[0], container="app", command="sh", interactive=True)
    code = raised.value.response["Error"]["Code"]
    if enable:
        assert code == "TargetNotConnectedException"
    else:
        assert code == "InvalidParameterException"
        assert "execute command was not enabled when the task was run" in raised.value.response["Error"]["Message"]
