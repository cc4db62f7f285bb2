"""In GitHub Actions (GITHUB_ACTIONS=true) any error naming file:line gets an annotation, not only a manifest
validation error: `::error file=F,line=L,col=C::message` (docs.github.com, "Workflow commands for GitHub
Actions", "Setting an error message")."""
from __future__ import annotations

from typer.testing import CliRunner

from ecsship.cli.app import app
from ecsship.ui.github import located_problem


def test_an_import_error_on_a_line_is_annotated(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    broken = tmp_path / "copilot.yml"
    broken.write_text("name: api\nfoo: [\n")
    result = CliRunner().invoke(app, ["import", "--from-copilot", str(broken)])
    assert result.exit_code == 2
    assert f"::error file={broken},line=3,col=1::" in result.output, result.output


def test_messages_without_file_and_line_are_not_annotated():
    assert located_problem("--days must be 1 to 63") is None
    assert located_problem("role x: AssumeRole failed: AccessDenied: User: arn:aws:sts::1:x") is None
    located = located_problem("m.yaml:4: not valid UTF-8", "save it as UTF-8")
    assert (located.file, located.line, located.column, located.message) == ("m.yaml", 4, None, "not valid UTF-8")
