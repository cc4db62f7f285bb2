"""`ecsship deploy / rollback / status / history` through the CLI, on the in-memory AWS-like ECS.

The real CLI (typer, errors_to_exit, views, exit codes) with Application.aws swapped for a fake and a
FakeClock given to the run's Application, so these run in simulated time and without a backend. The same journeys run end to end on
the local backend's simulator in test_e2e.py.
"""
from __future__ import annotations

import json
import textwrap

import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from ecsship.app.application import Application
from ecsship.cli.app import app
from ecsship.deploy.clock import FakeClock
from ecsship.deploy.lastgood import DEPLOYED_AT

from tests.deploy.fake_ecs import FakeEcs, td_arn
from tests.doubles import FakeAws

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web"


class FakeEcr:
    tags = {"v1", "v2", "v3", "broken", "hang"}

    def describe_images(self, registryId, repositoryName, imageIds):
        tag = imageIds[0].get("imageTag")
        if tag not in self.tags:
            raise ClientError({"Error": {"Code": "ImageNotFoundException", "Message": f"tag {tag} not found"}}, "DescribeImages")
        return {"imageDetails": [{"imageTags": [tag]}]}


@pytest.fixture
def world(tmp_path, monkeypatch):
    clock = FakeClock()
    ecs = FakeEcs(clock)
    # The service runs v1 of the manifest's image, recorded as good.
    first = td_arn("web", 1)
    ecs.task_defs[first]["taskDefinition"]["containerDefinitions"][0]["image"] = f"{IMAGE}:v1"
    ecs.tag_resource(first, [{"key": DEPLOYED_AT, "value": "2026-01-01T00:00:00+00:00"}])
    fake_aws = FakeAws(ecs, ecr=FakeEcr())
    fake_aws.clock = clock  # as Application.aws gives every Aws the run's clock
    monkeypatch.setattr("ecsship.app.application.Application.aws", lambda self, *manifest_facts: fake_aws)
    # The plan engine needs a real backend (lookups of VPC, subnets...): register by image swap instead.
    from tests.deploy.image_swap import revision_with_image

    def prepare_revision(run, uri, with_infra, sidecar_images=None, images_checked=lambda: None):
        images_checked()  # as the real one: the image checks running beside the plan end before any write
        return revision_with_image(run.aws, "web", "web", uri)

    monkeypatch.setattr("ecsship.app.revision.prepare_revision", prepare_revision)
    # The SSM-parameter lock is covered by tests/reliability; here it is a no-op.
    from contextlib import nullcontext

    monkeypatch.setattr("ecsship.app.application.Application.lock", lambda self, aws, cluster, service, command: nullcontext())
    monkeypatch.delenv("CI", raising=False)
    manifest = tmp_path / "ecsship.yaml"
    manifest.write_text(textwrap.dedent(f"""\
        service: web
        cluster: shop
        region: us-east-1
        image: {IMAGE}:${{IMAGE_TAG:-v1}}
        cpu: 256
        memory: 512
        network:
          vpc: {{tags: {{Name: main}}}}
          subnets: {{tags: {{tier: private}}}}
        deploy: {{strategy: rolling, timeout: 5m}}
        """))

    def run(*args):
        result = CliRunner().invoke(app, [*args, "-f", str(manifest)], obj=Application(given_clock=clock))
        return result

    run.ecs, run.clock = ecs, clock
    return run


def test_deploy_success_exit_0_plain_lines(world):
    result = world("deploy", "--image-tag", "v2")
    assert result.exit_code == 0, result.output
    assert "registered task definition web:2" in result.stdout
    assert "has reached a steady state" in result.stdout
    assert "deployed web:2" in result.stdout
    assert "Traceback" not in result.output
    assert world.ecs.service["taskDefinition"] == td_arn("web", 2)


def test_deploy_broken_image_exit_1_says_why_and_what_serves(world):
    result = world("deploy", "--image-tag", "broken")
    assert result.exit_code == 1, result.output
    assert "rolled back, web:1 serves" in result.stdout
    assert "Task failed ELB health checks" in result.stdout


def test_deploy_timeout_rolls_back(world):
    result = world("deploy", "--image-tag", "hang", "--timeout", "90s")
    assert result.exit_code == 1, result.output
    assert "timed out" in result.stdout and "web:1 serves" in result.stdout
    assert world.ecs.service["taskDefinition"] == td_arn("web", 1)


def test_deploy_missing_image_is_refused_before_anything_changes(world):
    result = world("deploy", "--image-tag", "v9")
    assert result.exit_code == 1
    assert "image not found" in result.stderr and ":v9" in result.stderr
    assert "UpdateService" not in world.ecs.calls and "RegisterTaskDefinition" not in world.ecs.calls


def test_deploy_json_lines_end_with_the_outcome(world):
    result = world("--output", "json", "deploy", "--image-tag", "v2")
    assert result.exit_code == 0, result.output
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert objects[0]["event"] == "note"
    assert objects[-1]["event"] == "outcome" and objects[-1]["status"] == "succeeded"
    assert {"started", "tasks", "service_event", "state"} <= {o["event"] for o in objects}


def test_no_wait_prints_the_deployment_id(world):
    result = world("deploy", "--image-tag", "v2", "--no-wait")
    assert result.exit_code == 0
    assert "deployment started: sd" in result.stdout and "arn:" not in result.stdout
    assert world.clock.t == 0


def test_concurrent_deploy_refused_then_forced(world):
    assert world("deploy", "--image-tag", "hang", "--no-wait").exit_code == 0
    refused = world("deploy", "--image-tag", "v2")
    assert refused.exit_code == 1
    assert "in progress" in refused.stderr and "--force" in refused.stderr
    assert world("deploy", "--image-tag", "v2", "--force", "--no-wait").exit_code == 0


def test_rollback_twice_goes_back_two_good_revisions(world):
    assert world("deploy", "--image-tag", "v2").exit_code == 0
    assert world("deploy", "--image-tag", "broken").exit_code == 1   # web:3, never good
    assert world("deploy", "--image-tag", "v3").exit_code == 0        # web:4
    first = world("rollback")
    assert first.exit_code == 0, first.output
    assert "rolling back from web:4 to web:2" in first.stdout
    assert world.ecs.service["taskDefinition"] == td_arn("web", 2)
    second = world("rollback")
    assert second.exit_code == 0, second.output
    assert world.ecs.service["taskDefinition"] == td_arn("web", 1)
    third = world("rollback")
    assert third.exit_code == 1 and "no earlier revision" in third.stderr


def test_rollback_during_a_rollout_stops_it(world):
    assert world("deploy", "--image-tag", "hang", "--no-wait").exit_code == 0
    result = world("rollback")
    assert result.exit_code == 0, result.output
    assert "stopping deployment" in result.stdout and "web:1 serves" in result.stdout
    assert "StopServiceDeployment" in world.ecs.calls
    # What was asked for is not a failure: no "✖ rolled back" before "✔ rolled back" (issue 13 item 10).
    assert "✖" not in result.stdout and "✔ rolled back" in result.stdout


def test_rollback_to_revision(world):
    assert world("deploy", "--image-tag", "v2").exit_code == 0
    assert world("deploy", "--image-tag", "v3").exit_code == 0
    result = world("rollback", "--to-revision", "1")
    assert result.exit_code == 0, result.output
    assert world.ecs.service["taskDefinition"] == td_arn("web", 1)


def test_ctrl_c_exits_130_and_leaves_the_rollout_running(world, monkeypatch):
    def interrupt(_):
        raise KeyboardInterrupt

    monkeypatch.setattr(world.clock, "sleep", interrupt)
    result = world("deploy", "--image-tag", "v2")
    assert result.exit_code == 130
    assert "still running" in result.stdout and "ecsship rollback" in result.stdout
    assert "StopServiceDeployment" not in world.ecs.calls


def test_same_image_twice_registers_nothing(world):
    assert world("deploy", "--image-tag", "v2").exit_code == 0
    again = world("deploy", "--image-tag", "v2")
    assert again.exit_code == 0
    assert "nothing to deploy: web:2 already serves" in again.stdout
    assert world.ecs.calls.count("RegisterTaskDefinition") == 1


def test_image_flag_gives_the_whole_uri_and_both_flags_are_a_usage_error(world):
    result = world("deploy", "--image", f"{IMAGE}:v3")
    assert result.exit_code == 0, result.output
    # Text names the image without its registry (issue 13 item 9: lines fit 100 columns); the whole URI
    # is what was registered.
    assert f"({IMAGE.split('/', 1)[1]}:v3)" in result.stdout and IMAGE not in result.stdout
    both = world("deploy", "--image", f"{IMAGE}:v3", "--image-tag", "v2")
    assert both.exit_code == 2 and "either --image-tag or --image" in both.stderr


def test_bad_timeout_is_a_usage_error(world):
    result = world("deploy", "--image-tag", "v2", "--timeout", "soon")
    assert result.exit_code == 2 and "--timeout" in result.stderr
    assert "UpdateService" not in world.ecs.calls


def test_sigterm_while_watching_is_handled_like_ctrl_c(world, monkeypatch):
    import os
    import signal

    def terminate(_):
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(world.clock, "sleep", terminate)
    before = signal.getsignal(signal.SIGTERM)
    result = world("deploy", "--image-tag", "v2")
    assert result.exit_code == 130, result.output
    assert "still running" in result.stdout
    assert signal.getsignal(signal.SIGTERM) is before  # restored
