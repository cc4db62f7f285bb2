"""Start-up (issue #20 item 4): a run that names a known command has typer build only that command
(typer turns each registered command into a click command on every start); `--help`, no command or an
unknown one see them all. Global options given as `--opt=value` before the command do not hide it."""
from __future__ import annotations

import pytest

from ecsship.cli.app import app, only_the_invoked_command
from ecsship.cli.options_anywhere import command_index, hoist_global_options

ALL = len(app.registered_commands) + len(app.registered_groups)


@pytest.mark.parametrize("argv, built", [
    (["plan", "-f", "x.yaml"], ["plan"]),
    (["--local", "--local-port", "4566", "plan"], ["plan"]),
    (["--output=json", "plan", "--local"], ["plan"]),
    (["-o", "json", "local", "up"], ["local"]),
    (["deploy", "-f", "m.yaml", "--region", "eu-west-1"], ["deploy"]),
    (["--help"], None), ([], None), (["--version"], None), (["plna"], None), (["--region", "plan"], None),
])
def test_only_the_named_command_is_built(argv, built):
    with only_the_invoked_command(argv):
        names = [c.name or c.callback.__name__ for c in app.registered_commands] + [g.name for g in app.registered_groups]
        assert names == built if built else len(names) == ALL
    assert len(app.registered_commands) + len(app.registered_groups) == ALL  # restored


def test_a_global_option_with_its_value_attached_keeps_the_command_in_place():
    """`--output=json plan -f x --local` once became `... -f --local x`: -f swallowed --local."""
    args = hoist_global_options(["--output=json", "plan", "-f", "x", "--local"])
    assert args == ["--output=json", "--local", "plan", "-f", "x"] and command_index(args) == 2
