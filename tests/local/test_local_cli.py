"""`ecsship local up/status/reset/down`, `--local` auto-start, stale state, port conflicts, loopback only.

These start real backend processes on their own ports (a few seconds each), through the real
console script, as a user or `make demo` would.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port

ECSSHIP = str(Path(sys.executable).parent / "ecsship")


def ecsship(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ECSSHIP, *args], capture_output=True, text=True, timeout=120, env=os.environ.copy())


def test_up_status_reset_down_lifecycle(secret_values):
    from ecsship.local import client

    port = free_port()
    notes: list[str] = []
    try:
        endpoint = client.ensure_local_backend(port, notify=notes.append)  # what --local does
        assert endpoint == f"http://127.0.0.1:{port}"
        assert notes and "started local AWS at http://127.0.0.1:" in notes[0]
        assert client.ensure_local_backend(port, notify=notes.append) == endpoint
        assert len(notes) == 1, "a running backend is reused silently"

        second = ecsship("local", "up", "--port", str(port))
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout

        text = ecsship("local", "status", "--port", str(port))
        assert text.returncode == 0, text.stderr
        assert f"http://127.0.0.1:{port}" in text.stdout and "shop/stripe-AbCdEf" in text.stdout
        assert "checkout-api: broken, v1, v2, v3" in text.stdout
        status = json.loads(ecsship("local", "status", "--port", str(port), "--output", "json").stdout)
        assert status["running"] is True and status["port"] == port and status["seeded"] is True
        assert status["pid"] == client.read_state(port)["pid"]
        for output in (text.stdout + text.stderr, json.dumps(status)):
            assert not any(value in output for value in secret_values)

        reset = ecsship("local", "reset", "--port", str(port))
        assert reset.returncode == 0 and "reset to the seeded account" in reset.stdout
    finally:
        down = ecsship("local", "down", "--port", str(port))
    assert down.returncode == 0 and "stopped" in down.stdout
    assert not client.state_path(port).exists()
    gone = ecsship("local", "status", "--port", str(port))
    assert gone.returncode == 1 and "no local AWS running" in gone.stdout
    assert ecsship("local", "down", "--port", str(port)).returncode == 0, "down is idempotent"


def test_bare_starts_an_empty_account():
    import boto3

    port = free_port()
    try:
        up = ecsship("local", "up", "--bare", "--port", str(port), "-o", "json", "--fail-images", "*bad*", "--fail-mode", "exit", "--speed", "30")
        assert up.returncode == 0, up.stderr
        status = json.loads(up.stdout)
        assert status["seeded"] is False and status["fail_images"] == "*bad*" and status["fail_mode"] == "exit"
        assert status["clock"]["speed"] == 30.0
        ec2 = boto3.client("ec2", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
        assert ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["main"]}])["Vpcs"] == []
        assert boto3.client("ecr", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1").describe_repositories()["repositories"] == []
    finally:
        ecsship("local", "down", "--port", str(port))


def test_port_in_use_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = ecsship("local", "up", "--port", str(port))
    assert result.returncode == 1
    assert f"port {port}" in result.stderr and "already in use" in result.stderr
    assert "--port" in result.stderr, "says what to do"
    assert "Traceback" not in result.stderr


def test_stale_state_file_is_detected_and_cleaned():
    from ecsship.local import client

    port = free_port()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    client.write_state(port, {"pid": dead.pid, "port": port, "started_at": 0})
    result = ecsship("local", "status", "--port", str(port))
    assert result.returncode == 1 and "no local AWS running" in result.stdout
    assert not client.state_path(port).exists()


def _listening_addresses(port: int) -> list[str]:
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.append(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
def test_listens_on_loopback_only(local_server):
    addresses = _listening_addresses(local_server.port)
    assert addresses == ["0100007F"], f"listening on {addresses}; only 127.0.0.1 is allowed"


def test_alarm_command_sets_the_state(aws, run_cli):
    aws.client("cloudwatch").put_metric_alarm(AlarmName="checkout-5xx", MetricName="5xx", Namespace="AWS/ApplicationELB", Statistic="Sum",
                                              Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    result = run_cli("local", "alarm", "checkout-5xx", "--state", "ALARM")
    assert result.exit_code == 0, result.stderr
    assert "alarm checkout-5xx is now ALARM" in result.stdout
    assert aws.client("cloudwatch").describe_alarms(AlarmNames=["checkout-5xx"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    missing = run_cli("local", "alarm", "nope", "--state", "OK")
    assert missing.exit_code == 1 and "alarm nope" in missing.stderr and "Traceback" not in missing.stderr
    bad = run_cli("local", "alarm", "checkout-5xx", "--state", "RED")
    assert bad.exit_code == 2


def test_status_json_through_the_global_output_option(aws, run_cli):
    result = run_cli("local", "status", "-o", "json")
    assert result.exit_code == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["port"] == aws.port and status["seed"]["listeners"].keys() == {"443", "8443"}


def test_product_code_never_imports_moto_or_the_simulator():
    root = Path(__file__).resolve().parents[2] / "ecsship"
    offenders = []
    for path in root.rglob("*.py"):
        if "local" in path.relative_to(root).parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        if "import moto" in text or "from moto" in text or "ecsship.local.simulator" in text or "ecsship.local.fidelity" in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_local_help_loads_neither_boto3_nor_moto():
    code = ("import sys; from typer.testing import CliRunner; from ecsship.cli.app import app; "
            "r = CliRunner().invoke(app, ['local', '--help']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('boto3', 'botocore', 'moto') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_backend_takes_settings_from_the_environment_and_stops_when_its_parent_is_gone(monkeypatch):
    """A backend started implicitly (--local) reads ECSSHIP_LOCAL_*; test fixtures pass --parent-pid,
    so a test run killed before its teardown leaves no server behind. ECSSHIP_LOCAL_LATENCY delays
    every AWS API answer (issue #20): one call, measured once, takes at least that long."""
    import time

    import boto3

    from ecsship.local import client

    port = free_port()
    monkeypatch.setenv("ECSSHIP_LOCAL_LATENCY", "150ms")
    monkeypatch.setenv("ECSSHIP_LOCAL_SPEED", "40")
    monkeypatch.setenv("ECSSHIP_LOCAL_FAIL_IMAGES", "v3")
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        status = client.start_backend(port, bare=True, parent_pid=parent.pid)
        assert status["clock"]["speed"] == 40.0 and status["fail_images"] == "v3"
        assert status["latency_ms"] == 150.0
        sts = boto3.client("sts", region_name="us-east-1", endpoint_url=client.endpoint_for(port),
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        started = time.monotonic()
        sts.get_caller_identity()
        assert time.monotonic() - started >= 0.15
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 20
        while client.pid_alive(status["pid"]) and time.monotonic() < deadline:
            client._reap(status["pid"])
            time.sleep(0.2)
        assert not client.pid_alive(status["pid"])
    finally:
        client.stop_backend(port)


def test_stopping_finishes_the_answers_in_flight():
    """A request being answered when the server is told to stop gets its whole answer.

    Request threads are daemons: a server that returned from serve_forever() straight away cut them
    mid-answer, and the client read http.client.IncompleteRead (seen on `local down` and at the end
    of test sessions, the shutdown request's own answer among the cut ones): http.client raises it
    when fewer than Content-Length bytes arrive before the connection closes.

    `Expect: 100-continue` makes the server confirm that it is handling our request before we send
    the body (http.server's parse_request answers `100 Continue`, then werkzeug's run_wsgi a second
    time), so the request is in flight when the stop comes, deterministically.
    """
    import time

    from ecsship.local import client

    port = free_port()
    status = client.start_backend(port, bare=True, manual_clock=True, parent_pid=os.getpid())
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall((
                f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nExpect: 100-continue\r\n"
                "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
                "Authorization: AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/sts/aws4_request, "
                f"SignedHeaders=host, Signature=0\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode())
            interim = b""
            while interim.count(b"\r\n\r\n") < 2 and (chunk := sock.recv(1)):
                interim += chunk
            assert interim == b"HTTP/1.1 100 Continue\r\n\r\n" * 2, f"the server is handling the request: {interim!r}"
            assert client.control(port, "shutdown", timeout=10) == {"ok": True}
            # Wait (bounded) until the server has left its accept loop: it says it drains, or it is gone.
            log = client.log_path(port)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if "in-flight request" in log.read_text(errors="replace") or not client.pid_alive(status["pid"]):
                    break
                time.sleep(0.05)
            sock.sendall(body)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
                if b"</GetCallerIdentityResponse>" in answer:
                    break
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), answer[:200]
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        assert len(payload) == length and b"<Arn>" in payload
    finally:
        client.stop_backend(port)
    assert not client.state_path(port).exists()
