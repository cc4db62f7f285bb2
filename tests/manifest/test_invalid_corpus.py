"""Every file in tests/data/invalid must fail validation with exit 2, the expected message at
the expected field, a FILE:LINE location, and no traceback."""
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ecsship.cli.app import app

CORPUS = sorted((Path(__file__).parent.parent / "data" / "invalid").glob("*.yaml"))


def expectations(path: Path) -> tuple[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    field = lines[0].removeprefix("# expect-field:").strip()
    fragment = lines[1].removeprefix("# expect:").strip()
    return field, fragment


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_invalid_manifest(path: Path):
    field, fragment = expectations(path)
    result = CliRunner().invoke(app, ["validate", "-f", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert fragment in result.output
    problem_lines = [line for line in result.output.splitlines() if line.startswith(f"{path}:")]
    assert problem_lines, result.output
    matching = [line for line in problem_lines if fragment in line]
    assert matching, problem_lines
    location = matching[0][len(str(path)) + 1 :].split(":", 1)[0]
    assert location.isdigit(), matching[0]
    if field:
        assert f": {field}: " in matching[0], matching[0]
