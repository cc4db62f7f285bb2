"""Issue 13 item 4: with `plan --detailed-exitcode`, 2 means only "changes"; every error is 1.

Terraform's `plan -detailed-exitcode`: "0 - Succeeded, diff is empty; 1 - Errored; 2 - Succeeded,
there is a diff". A CI job branching on 2 must never apply because the manifest was broken.
"""
from __future__ import annotations

from typer.testing import CliRunner

from ecsship.cli.app import _detailed_exit, app

MINIMAL = """service: web
cluster: shop
image: nginx:1
network: {vpc: {tags: {Name: main}}, subnets: {tags: {tier: private}}}
environments: {staging: {cluster: shop-staging}}
"""


def _plan(*args):
    return CliRunner().invoke(app, ["plan", *args])


def test_every_error_is_1_with_detailed_exitcode(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("service: web\ncluster: [\n")
    good = tmp_path / "ecsship.yaml"
    good.write_text(MINIMAL)
    assert _plan("-f", str(bad), "--detailed-exitcode").exit_code == 1
    assert _plan("-f", str(tmp_path / "missing.yaml"), "--detailed-exitcode").exit_code == 1
    assert _plan("-f", str(good), "--env", "nope", "--detailed-exitcode").exit_code == 1
    # Without the flag, an invalid manifest keeps its documented 2.
    assert _plan("-f", str(bad)).exit_code == 2


def test_an_option_parser_error_is_1_only_in_detailed_mode():
    assert _detailed_exit(2, ["plan", "--detailed-exitcode", "--bogus"]) == 1
    assert _detailed_exit(2, ["plan", "--bogus"]) == 2
    assert _detailed_exit(0, ["plan", "--detailed-exitcode"]) == 0
    assert _detailed_exit(2, ["plan", "--detailed-exitcode"], changes_reported=True) == 2



def test_one_runs_changes_never_turn_a_later_usage_error_into_2(monkeypatch, tmp_path):
    """Through main(), as the console script runs: changes exit 2; a later run in the same process
    (tests, or anything embedding ecsship) with a bad option still exits 1. The answer travels with
    the exit (ChangesReported), where a module-level flag once leaked from one run into the next."""
    import pytest

    from ecsship.cli import app as cli_app
    from ecsship.cli.commands import plan as plan_command

    monkeypatch.setattr(plan_command, "_plan", lambda *args, **kwargs: True)
    good = tmp_path / "ecsship.yaml"
    good.write_text(MINIMAL)
    for argv, expected in ((["plan", "-f", str(good), "--detailed-exitcode"], 2),
                           (["plan", "--detailed-exitcode", "--bogus"], 1)):
        monkeypatch.setattr("sys.argv", ["ecsship", *argv])
        with pytest.raises(SystemExit) as exited:
            cli_app.main()
        assert exited.value.code == expected, argv
