"""The acceptance scenario (tests/acceptance/scenario.py) against the local AWS, on every `make test`:
the code `make test-aws` runs on a real account, exercised through the real CLI (typer's app,
in-process) on the backend's simulated clock."""
from __future__ import annotations

import os
import subprocess
import sys

from ecsship.local.seed import ACCOUNT_ID

from tests.acceptance.scenario import Scenario, Target, leftovers, tagged
from tests.conftest import REPO_ROOT

REPO = f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/acceptance"


def test_the_acceptance_scenario_leaves_nothing_behind(aws, run_cli, tmp_path):
    assert run_cli("local", "image", "add", f"{REPO}:v1", f"{REPO}:broken").exit_code == 0
    target = Target("local", run_cli, aws.client, lambda: aws.advance(0),
                    good_image=f"{REPO}:v1", bad_image=f"{REPO}:broken", sleep=aws.advance)
    scenario = Scenario(target, tmp_path)
    report = scenario.run()
    print("\n".join(report.lines()), sorted(scenario.roles))

    titles = [title for title, _, _ in report.steps]
    assert titles[:7] == ["init web", "plan", "apply", "deploy", "failed deploy", "rollback", "init canary"]
    assert "canary deploy" in titles and titles.count("no-op plan") == 2 and titles[-1] == "destroy web"
    assert report.left_behind == []
    assert report.task_hours() > 0  # the services ran on the simulated clock
    assert report.endpoint_hours() > 0  # the run made the VPC's interface endpoints (and destroy removed them)
    assert "left behind: nothing" in report.lines()[-1]
    assert scenario.roles  # read back: and gone (leftovers checks them)


def test_leftovers_finds_what_a_run_did_not_delete(aws, run_cli, tmp_path):
    """The checks are not vacuous: an interrupted run (applied, never destroyed) is reported, by its
    tag through GetResources and by reading the service, the task definition family and the roles."""
    assert run_cli("local", "image", "add", f"{REPO}:v1").exit_code == 0
    target = Target("local", run_cli, aws.client, lambda: aws.advance(0), good_image=f"{REPO}:v1", bad_image="")
    scenario = Scenario(target, tmp_path)
    scenario.init(scenario.web, "web", "rolling", 100)
    scenario.step("apply", "apply", "-f", scenario.web, "--yes")
    scenario.remember_roles()
    assert any(":task-definition/" in arn for arn in tagged(aws.client, scenario.run_id))
    left = leftovers(aws.client, scenario.run_id, scenario.cluster, ["web"], scenario.roles)
    assert f"cluster {scenario.cluster}" in left and "service web (ACTIVE)" in left
    assert f"task definition family {scenario.run_id}-web" in left
    assert any(item.startswith("IAM role ") for item in left)


def test_make_test_aws_refuses_without_consent_or_credentials(tmp_path):
    """No ECSSHIP_AWS_ACCEPTANCE=1, or no credentials: a clear refusal and exit 2, before any AWS call."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ECSSHIP_"))}
    base.update(AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
                AWS_EC2_METADATA_DISABLED="true", PYTHONPATH=str(REPO_ROOT))
    given = {"ECSSHIP_ACCEPTANCE_IMAGE": "1.dkr.ecr.us-east-1.amazonaws.com/a:v1",
             "ECSSHIP_ACCEPTANCE_BAD_IMAGE": "1.dkr.ecr.us-east-1.amazonaws.com/a:bad", "ECSSHIP_ACCEPTANCE_ALB": "main"}
    cases = [({}, "set ECSSHIP_AWS_ACCEPTANCE=1"),
             ({"ECSSHIP_AWS_ACCEPTANCE": "1"}, "set ECSSHIP_ACCEPTANCE_IMAGE"),
             ({"ECSSHIP_AWS_ACCEPTANCE": "1", **given}, "no AWS credentials found")]
    for extra, message in cases:
        done = subprocess.run(["make", "-s", "-o", ".venv/.installed-stamp", "-o", "bytecode", "test-aws",
                               "BIN=" + os.path.dirname(sys.executable)], cwd=REPO_ROOT,
                              env={**base, **extra}, capture_output=True, text=True, timeout=60)
        assert done.returncode != 0 and "make test-aws: refused: " in done.stderr and message in done.stderr, done
        assert "Traceback" not in done.stderr
