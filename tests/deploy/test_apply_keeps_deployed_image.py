"""Issue #16: apply never undoes a deploy. After `deploy --image-tag v2`, an `apply` of the manifest
whose image still says v1 keeps v2 (terraform-provider-aws#632 is this trap); a changed manifest image,
or `--image-tag`, moves it. The record is in the ECS service's tags (deploy/image_record.py; botocore
ecs `Tag`: "Maximum value length - 256 Unicode characters", letters, digits and `+ - = . _ : / @`)."""
from __future__ import annotations

import pytest

from tests.deploy.test_e2e import BLUEGREEN, FAST_CANARY, WORKER, applied, manifest_with_deploy, service_of


@pytest.fixture
def sim(simulated_watch_time, monkeypatch):
    """Simulated time comes from tests/conftest.py (autouse); plain output lines, not CI's."""
    monkeypatch.delenv("CI", raising=False)
    return simulated_watch_time


def image_of(aws, service: str, cluster: str = "shop") -> str:
    td = service_of(aws, service, cluster)["taskDefinition"]
    return aws.client("ecs").describe_task_definition(taskDefinition=td)["taskDefinition"]["containerDefinitions"][0]["image"]


def test_apply_keeps_the_deployed_image_until_the_manifest_or_image_tag_moves_it(sim, run_cli, aws):
    applied(run_cli, aws, WORKER, "worker")
    assert run_cli("deploy", "-f", WORKER, "--image-tag", "v2").exit_code == 0

    plan = run_cli("plan", "-f", WORKER, "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output  # no change planned
    kept = [line.strip() for line in plan.stdout.splitlines() if "image kept" in line]
    assert len(kept) == 1 and kept[0].startswith("note: image kept: worker:v2, deployed by `ecsship deploy` at 20"), kept
    again = run_cli("apply", "-f", WORKER, "--yes")
    assert again.exit_code == 0 and "No changes" in again.stdout, again.output
    assert image_of(aws, "worker").endswith("/worker:v2")

    explicit = run_cli("apply", "-f", WORKER, "--yes", "--image-tag", "v3")  # --image-tag wins over what runs
    assert explicit.exit_code == 0, explicit.output
    assert image_of(aws, "worker").endswith("/worker:v3")
    plan = run_cli("plan", "-f", WORKER, "--detailed-exitcode")
    assert plan.exit_code == 0 and "image kept: worker:v3, set by `ecsship apply --image-tag` at" in plan.stdout, plan.output

    moved = run_cli("apply", "-f", WORKER, "--yes", "--var", "IMAGE_TAG=v2")  # the manifest's image changed: it wins
    assert moved.exit_code == 0, moved.output
    assert image_of(aws, "worker").endswith("/worker:v2")
    final = run_cli("plan", "-f", WORKER, "--detailed-exitcode", "--var", "IMAGE_TAG=v2")
    assert final.exit_code == 0 and "image kept" not in final.stdout, final.output


def test_apply_after_a_codedeploy_deploy_starts_no_deployment_back(sim, run_cli, aws, tmp_path):
    """On a CodeDeploy service a new revision would be a CodeDeploy deployment back to v1."""
    manifest = manifest_with_deploy(tmp_path, BLUEGREEN, FAST_CANARY)
    assert run_cli("apply", "-f", manifest, "--yes").exit_code == 0
    assert run_cli("deploy", "-f", manifest, "--image-tag", "v2").exit_code == 0
    again = run_cli("apply", "-f", manifest, "--yes")
    assert again.exit_code == 0 and "No changes" in again.stdout, again.output
    assert "image kept: checkout-api:v2, deployed by `ecsship deploy`" in again.stdout
    cd = aws.client("codedeploy")
    assert len(cd.list_deployments(applicationName="shop-checkout-api-bg", deploymentGroupName="shop-checkout-api-bg")["deployments"]) == 1
    assert image_of(aws, "checkout-api-bg").endswith("/checkout-api:v2")
