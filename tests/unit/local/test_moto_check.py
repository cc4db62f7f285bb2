"""`ecsship local up` warns (never fails) when moto is outside the tested minor (issue 14 item 7)."""
from __future__ import annotations

import pytest

from ecsship.local import moto_check


@pytest.mark.parametrize("version", ["5.2.5", "5.2.9", "5.2.10.dev1"])
def test_the_tested_minor_is_quiet(version):
    assert moto_check.untested_moto(version) is None


@pytest.mark.parametrize("version", ["5.3.0", "5.1.9", "6.0.0", "garbage"])
def test_another_minor_is_named(version):
    assert moto_check.untested_moto(version) == version
    assert f"moto {version} is installed" in moto_check.warning_text(version)


def test_the_installed_moto_is_the_tested_one():
    # The venv follows pyproject's pin: a failure here means the pin and TESTED_MINOR disagree.
    assert moto_check.untested_moto() is None


def test_up_warns_on_an_untested_moto_and_still_starts(monkeypatch):
    from typer.testing import CliRunner

    from ecsship.cli.app import app
    from ecsship.local import client

    started = []

    def fake_start(port, **_):
        started.append(port)
        raise client.AlreadyRunning(port, {"port": port, "pid": 1, "endpoint": f"http://127.0.0.1:{port}", "started_at": 0})

    monkeypatch.setattr(moto_check.metadata, "version", lambda name: "5.3.1")
    monkeypatch.setattr(client, "start_backend", fake_start)
    result = CliRunner().invoke(app, ["local", "up", "--port", "4999"])
    assert started == [4999] and result.exit_code == 0, result.output
    assert "warning: moto 5.3.1 is installed" in result.stderr
