"""An AWS error mid-apply: stop, name resource + call + code + hint, exit 1; the next apply converges."""
from __future__ import annotations

import pytest


@pytest.fixture
def fail_create_service(monkeypatch):
    """Every Aws object the CLI builds answers ecs:CreateService with an AWS error, until disarmed."""
    from ecsship.aws import session

    armed = {"on": True}

    class Http:
        status_code = 400
        headers: dict = {}

    def refuse(**_):
        if armed["on"]:
            return Http(), {"Error": {"Code": "InvalidParameterException", "Message": "the subnets are sad today"},
                            "ResponseMetadata": {"HTTPStatusCode": 400}}
        return None

    original = session.Aws.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.session.events.register("before-call.ecs.CreateService", refuse)

    monkeypatch.setattr(session.Aws, "__init__", init)
    return armed


def test_failure_names_the_call_and_a_rerun_converges(run_cli, example, aws, fail_create_service):
    failed = run_cli("apply", "--no-wait", "-f", example("worker"), "--yes")
    assert failed.exit_code == 1
    # A translated AWS error wraps within 100 columns in text: read it as one sentence.
    said = " ".join(failed.stderr.split())
    assert "ECS service worker: ecs:CreateService failed: InvalidParameterException: the subnets are sad today" in said
    assert all(len(line) <= 100 for line in failed.stderr.splitlines())
    assert "7 change(s) were made, 2 not; run the command again to continue" in failed.stderr
    assert "Traceback" not in failed.output
    assert "!!! failed ECS service worker" in failed.stdout

    fail_create_service["on"] = False
    plan = run_cli("plan", "-f", example("worker"))
    assert "Plan: 2 to create, 0 to update, 0 to replace, 0 to delete." in plan.stdout
    assert run_cli("apply", "--no-wait", "-f", example("worker"), "--yes").exit_code == 0
    assert run_cli("plan", "-f", example("worker"), "--detailed-exitcode").exit_code == 0
