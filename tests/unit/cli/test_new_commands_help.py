"""The commands added for issues #16-#19 teach in their --help: an example, and what the exit codes mean."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ecsship.cli.app import app


@pytest.mark.parametrize("command", [["import"], ["services"], ["cost"], ["rightsize"], ["job", "list"], ["job", "run"]])
def test_help_has_an_example_and_the_exit_codes(command):
    text = " ".join(CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "100"}).output.split())
    assert "Example: ecsship " + " ".join(command) in text, text
    assert "Exit 0" in text, text
