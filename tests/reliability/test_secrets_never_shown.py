"""Secrets never appear in any output: every command, text and JSON, with and without --debug,
success and failure, with the seeded secret values stored in the backend. Scanned: stdout,
stderr, JSON output and the saved plan file."""
from __future__ import annotations

import pytest

from tests.reliability.helpers import EXAMPLES

pytestmark = pytest.mark.reliability

TYPED = "typed-s3cr3t-v4lue-93kd"


def test_no_secret_value_in_any_output_of_any_command(aws, run_cli, run_ecsship, secret_values, tmp_path):
    web = EXAMPLES["web"]
    saved = tmp_path / "plan.json"
    commands = [
        ("validate", "-f", web, "-o", "json"),
        ("plan", "-f", web), ("plan", "-f", web, "--out", str(saved), "-v", "--debug"),
        ("apply", str(saved), "--yes", "--debug"),
        ("apply", "-f", web, "--yes", "-o", "json"),
        ("secret", "list", "-f", web, "-o", "json", "--debug"),
        ("deploy", "-f", web, "--image-tag", "v2", "--debug"),
        ("deploy", "-f", web, "--image-tag", "broken", "-o", "json"),  # fails and rolls back: exit 1
        ("status", "-f", web, "--debug"), ("status", "-f", web, "-o", "json"),
        ("history", "-f", web, "-o", "json", "--debug"),
        ("rollback", "-f", web, "--debug"),
        ("apply", "-f", web, "--debug", "--env", "nosuchenv"),  # a failure with --debug
        ("destroy", "-f", web, "--yes", "--debug", "-o", "json"),
    ]
    texts, codes = [], {}
    for args in commands:
        result = run_cli(*args)
        codes[" ".join(args)] = result.exit_code
        texts.append(result.stdout + result.stderr + (repr(result.exception) if result.exception else ""))
    typed = run_cli("secret", "set", "DB_PASSWORD", "-f", web, "--debug", input=f"{TYPED}\n")
    texts.append(typed.output)
    # the real console script too: real stdout/stderr, --debug
    result = run_ecsship("secret", "list", "-f", web, "--debug")
    texts.append(result.stdout + result.stderr)
    texts.append(saved.read_text())
    assert {k for k, v in codes.items() if v not in (0, 1, 2)} == set(), codes
    assert codes["deploy -f " + web + " --image-tag v2 --debug"] == 0 and codes["plan -f " + web] == 0
    assert codes["deploy -f " + web + " --image-tag broken -o json"] == 1
    everything = "\n".join(texts)
    hits = [value for value in (*secret_values, TYPED) if value in everything]
    assert hits == []
    assert typed.exit_code == 0, typed.output
    print(f"\nsecrets: {len(commands) + 2} command runs, {len(everything)} characters scanned, "
          f"{len(secret_values) + 1} secret values, hits: {len(hits)}")
