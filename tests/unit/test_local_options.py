"""Issue 13 items 8 and 10: `--local` with an explicit `--endpoint-url`, and a bad ECSSHIP_LOCAL_PORT."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ecsship.app.application import Application
from ecsship.cli.app import app


def test_an_explicit_endpoint_wins_over_local_and_starts_nothing(monkeypatch):
    def must_not_start(*args, **kwargs):
        raise AssertionError("a second local AWS was started")

    monkeypatch.setattr("ecsship.local.client.ensure_local_backend", must_not_start)
    aws = Application(local=True, endpoint_url="http://127.0.0.1:45999").aws()
    assert aws.endpoint_url == "http://127.0.0.1:45999" and aws.local


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_a_bad_local_port_is_a_usage_error(monkeypatch, value):
    monkeypatch.setenv("ECSSHIP_LOCAL_PORT", value)
    result = CliRunner().invoke(app, ["local", "status"])
    assert result.exit_code == 2, result.output
    assert f"ECSSHIP_LOCAL_PORT='{value}': not a port number" in result.output
    assert "internal error" not in result.output
