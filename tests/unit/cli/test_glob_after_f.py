"""A shell-expanded glob after one -f: Click's "unexpected extra argument(s)" gets a hint (exit 2 kept)."""
from __future__ import annotations

from typer.testing import CliRunner

from ecsship.cli.app import app, extra_files_hint


def test_several_paths_after_one_f_say_to_repeat_it_or_quote_the_pattern():
    result = CliRunner().invoke(app, ["validate", "-f", "a/ecsship.yaml", "b/ecsship.yaml", "c/ecsship.yaml"])
    assert result.exit_code == 2
    assert "unexpected extra argument" in result.output
    assert "hint: -f takes one path: repeat it" in result.output and "quote the pattern" in result.output


def test_other_extra_arguments_get_no_manifest_hint():
    assert extra_files_hint("Got unexpected extra argument (bogus)") is None
    assert extra_files_hint("No such option: --bogus") is None
