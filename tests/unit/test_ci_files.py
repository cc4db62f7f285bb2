"""action.yml and examples/ci/ (issue #19 "CI"): the composite action's contract and the example workflow.

GitHub's metadata syntax for actions: `runs.using: composite`, `inputs.<id>`, steps with `shell`.
"""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_action_is_composite_with_the_three_inputs_and_a_pinned_install():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(action["inputs"]) == {"version", "command", "working-directory"}
    assert action["inputs"]["command"]["required"] is True
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    install = next(s for s in steps if "pip" in s.get("run", ""))
    assert '"ecsship==$ECSSHIP_VERSION"' in install["run"]  # exactly that version, never a range
    run = next(s for s in steps if s.get("id") == "run")
    assert run["working-directory"] == "${{ inputs.working-directory }}"
    assert "${{" not in run["run"] and run["env"]["ECSSHIP_COMMAND"] == "${{ inputs.command }}"  # no script injection


def test_example_plans_on_pull_requests_and_ships_main_with_oidc_and_a_concurrency_group():
    wf = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions.yml").read_text())
    on = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads `on:` as true
    assert "pull_request" in on and on["push"]["branches"] == ["main"]
    assert wf["permissions"]["id-token"] == "write"
    plan, ship = wf["jobs"]["plan"], wf["jobs"]["ship"]
    assert "plan --detailed-exitcode" in str(plan["steps"])
    assert ship["concurrency"]["group"] and ship["concurrency"]["cancel-in-progress"] is False
    commands = [s["with"]["command"] for s in ship["steps"] if "ecsship" in s.get("uses", "") and "command" in s.get("with", {})]
    assert commands[0].startswith("apply --yes") and commands[1].startswith("deploy ")
    assert any("configure-aws-credentials" in s.get("uses", "") for s in ship["steps"])


def test_fleet_example_fans_out_one_job_per_service_wave_after_wave():
    wf = yaml.safe_load((ROOT / "examples" / "ci" / "fleet.yml").read_text())
    jobs = wf["jobs"]
    assert "ecsship services -f services/ -o json" in jobs["waves"]["steps"][-1]["run"]
    assert jobs["wave-1"]["strategy"]["matrix"] == "${{ fromJSON(needs.waves.outputs.services).waves[0] }}"
    assert jobs["wave-2"]["needs"] == ["waves", "wave-1"]
    assert "matrix.service" in jobs["wave-2"]["concurrency"]["group"]
