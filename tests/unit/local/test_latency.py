"""`ecsship local up --latency` (issue #20): every AWS API answer of the local AWS waits a fixed delay,
the /_ecsship/ control calls none. The sleeper is injected: nothing here sleeps."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ecsship.cli.app import app
from ecsship.local import client
from ecsship.local.backend import BackendOptions
from ecsship.local.latency import parse_latency_ms, with_latency


@pytest.mark.parametrize("text, ms", [("80ms", 80.0), ("0.08s", 80.0), ("80", 80.0), (" 2.5ms ", 2.5), ("0", 0.0)])
def test_latency_reads_milliseconds_or_seconds(text, ms):
    assert parse_latency_ms(text) == pytest.approx(ms)


@pytest.mark.parametrize("text", ["fast", "-5ms", "80us", "", "120s"])
def test_a_bad_latency_is_refused(text):
    with pytest.raises(ValueError):
        parse_latency_ms(text)


def _recording_app():
    slept: list[float] = []
    answered: list[str] = []

    def app(environ, start_response):
        answered.append(environ["PATH_INFO"])
        return [b"ok"]

    return app, slept, answered


def test_aws_answers_wait_and_control_calls_do_not_and_the_delay_can_change_while_running():
    inner, slept, answered = _recording_app()
    options = BackendOptions(latency_ms=80)
    delayed = with_latency(inner, options, "/_ecsship/", sleep=slept.append)
    assert delayed({"PATH_INFO": "/"}, None) == [b"ok"]
    assert delayed({"PATH_INFO": "/v20150331/services"}, None) == [b"ok"]
    assert delayed({"PATH_INFO": "/_ecsship/advance"}, None) == [b"ok"]
    assert slept == [0.08, 0.08]
    assert answered == ["/", "/v20150331/services", "/_ecsship/advance"]
    options.latency_ms = 0  # /_ecsship/config?latency_ms=0
    delayed({"PATH_INFO": "/"}, None)
    assert slept == [0.08, 0.08]


def test_the_flag_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("ECSSHIP_LOCAL_LATENCY", "30ms")
    assert client.latency_from(None) == 30.0
    assert client.latency_from("0.1s") == 100.0
    monkeypatch.setenv("ECSSHIP_LOCAL_LATENCY", "slow")
    with pytest.raises(client.LocalBackendError, match="ECSSHIP_LOCAL_LATENCY"):
        client.latency_from(None)


def test_local_up_refuses_a_bad_latency_before_starting_anything(monkeypatch):
    def must_not_start(*args, **kwargs):
        raise AssertionError("a local AWS was started")

    monkeypatch.setattr(client, "start_backend", must_not_start)
    result = CliRunner().invoke(app, ["local", "up", "--latency", "fast"])
    assert result.exit_code == 2, result.output
    assert "--latency" in result.output and "80ms" in result.output
    assert "Traceback" not in result.output


def test_the_server_takes_the_latency():
    from ecsship.local.server import parse_args

    assert parse_args(["--latency-ms", "80"]).latency_ms == 80.0
    assert parse_args([]).latency_ms == 0.0
