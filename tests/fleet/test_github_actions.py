"""Under GITHUB_ACTIONS=true (issue #19 "CI"): validate errors become annotations, plan and deploy append
Markdown to the file GITHUB_STEP_SUMMARY names; without it nothing of that appears.

GitHub documents both: "Workflow commands for GitHub Actions" (`::error file=,line=,col=::`) and
"Adding a job summary" (append Markdown to the file in $GITHUB_STEP_SUMMARY).
"""
from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ecsship.cli.app import app

from tests.deploy.test_e2e import WORKER

INVALID = Path(__file__).resolve().parents[1] / "data" / "invalid" / "fargate_cpu.yaml"


def test_validate_error_is_an_annotation_only_in_github_actions():
    plain = CliRunner().invoke(app, ["validate", "-f", str(INVALID)], env={"GITHUB_ACTIONS": ""})
    assert plain.exit_code == 2 and "::error" not in plain.output
    ci = CliRunner().invoke(app, ["validate", "-f", str(INVALID)], env={"GITHUB_ACTIONS": "true"})
    assert ci.exit_code == 2
    notes = [line for line in ci.stdout.splitlines() if line.startswith("::error ")]
    assert notes == [f"::error file={INVALID},line=7,col=1::cpu: 300 is not a Fargate CPU size — use one of 256, 512, "
                     "1024, 2048, 4096, 8192, 16384"], ci.output
    as_json = CliRunner().invoke(app, ["validate", "-f", str(INVALID), "-o", "json"], env={"GITHUB_ACTIONS": "true"})
    assert "::error" not in as_json.stdout and "::error" in as_json.stderr  # stdout stays JSON lines


def test_plan_writes_the_step_summary(run_cli, tmp_path):
    """The deploy's summary is checked in tests/fleet/test_fleet.py (a failed deploy among many)."""
    summary = tmp_path / "summary.md"
    ci = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    plan = run_cli("plan", "-f", WORKER, env=ci)
    assert plan.exit_code == 0, plan.output
    text = summary.read_text()
    assert "### ecsship plan: shop/worker (us-east-1)" in text and "| create | ECS service | `worker` |" in text, text
    assert "| action |" not in plan.stdout  # the terminal output is unchanged

    summary.write_text("")
    run_cli("plan", "-f", WORKER, env={"GITHUB_ACTIONS": "", "GITHUB_STEP_SUMMARY": str(summary)})
    assert summary.read_text() == ""
