"""The local AWS answers only this user's own tools (issue #22, medium items 1-3).

A web page in the developer's browser can reach 127.0.0.1: it must neither read the local account
(CORS), nor reach it through a rebound DNS name (Host), nor drive the control endpoints (token), nor
fire blind writes with a cross-site form POST (AWS rejects unsigned requests: "MissingAuthenticationToken",
see the AWS Signature Version 4 docs, "Authenticating Requests"). Any signed boto3/CLI call keeps
working; `local up --auth` additionally wants the token as the access key ("InvalidClientTokenId" is
what STS/IAM answer an unknown access key). The client authenticates the server and never signals a
pid it did not record itself.
"""
from __future__ import annotations

import http.client
import json
import os
import stat
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import free_port

ECSSHIP = str(Path(sys.executable).parent / "ecsship")


def raw(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_a_browser_page_cannot_read_or_drive_the_local_aws(aws):
    host = {"Host": f"127.0.0.1:{aws.port}"}
    form = {**host, "Content-Type": "application/x-www-form-urlencoded"}
    # Old code: moto's flask_cors echoed the Origin and served the request.
    status, headers, _ = raw(aws.port, "POST", "/", {**form, "Origin": "https://evil.example"},
                             b"Action=ListUsers&Version=2010-05-08")
    assert status == 403 and not any(k.lower().startswith("access-control-") for k in headers)
    preflight = raw(aws.port, "OPTIONS", "/", {**host, "Origin": "https://evil.example",
                                                "Access-Control-Request-Method": "POST"})
    assert preflight[0] == 403 and "Access-Control-Allow-Origin" not in preflight[1]
    # DNS rebinding: the browser sends the attacker's name as Host.
    assert raw(aws.port, "GET", "/_ecsship/status", {"Host": f"evil.example:{aws.port}"})[0] == 403
    # An unsigned request (what a cross-site form can send) is refused as AWS refuses it.
    status, _, body = raw(aws.port, "POST", "/", form, b"Action=CreateUser&UserName=pwned&Version=2010-05-08")
    assert status == 403 and b"MissingAuthenticationToken" in body
    assert "pwned" not in [u["UserName"] for u in aws.client("iam").list_users()["Users"]]
    # Control endpoints and moto's own API need the token.
    assert raw(aws.port, "GET", "/_ecsship/status", host)[0] == 403
    assert raw(aws.port, "POST", "/_ecsship/shutdown", host, b"")[0] == 403
    assert raw(aws.port, "GET", "/moto-api/data.json", host)[0] == 403
    assert aws.status()["ecsship_local"] is True, "still running, and the client's own calls still work"


def test_plain_boto3_with_any_credentials_still_works(aws):
    sts = boto3.client("sts", endpoint_url=aws.endpoint_url.replace("127.0.0.1", "localhost"), region_name="us-east-1",
                       aws_access_key_id="AKIAANYTHING", aws_secret_access_key="whatever")
    assert sts.get_caller_identity()["Account"] == "123456789012"


def test_state_file_is_private_and_holds_the_token(local_server):
    from ecsship.local import client

    path = client.state_path(local_server.port)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    state = client.read_state(local_server.port)
    assert len(state["token"]) >= 32 and state["identity"]
    status = raw(local_server.port, "GET", "/_ecsship/status",
                 {"Host": f"127.0.0.1:{local_server.port}", "X-Ecsship-Token": state["token"]})
    assert status[0] == 200, "the token itself works (curl)"


def test_auth_mode_wants_the_token_as_access_key():
    from ecsship.local import client

    port = free_port()
    try:
        up = subprocess.run([ECSSHIP, "local", "up", "--bare", "--auth", "--port", str(port), "-o", "json"],
                            capture_output=True, text=True, timeout=120)
        assert up.returncode == 0, up.stderr
        assert json.loads(up.stdout)["auth"] is True and client.read_state(port)["token"] not in up.stdout
        endpoint = client.endpoint_for(port)
        wrong = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                             aws_access_key_id="testing", aws_secret_access_key="testing")
        with pytest.raises(ClientError) as refused:
            wrong.get_caller_identity()
        assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
        right = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                             aws_access_key_id=client.read_state(port)["token"], aws_secret_access_key="x")
        assert right.get_caller_identity()["Account"] == "123456789012"
        # ecsship's own --local commands use the token.
        listed = subprocess.run([ECSSHIP, "--local", "--local-port", str(port), "secret", "list", "shop", "checkout"],
                                capture_output=True, text=True, timeout=120)
        assert "InvalidClientTokenId" not in listed.stderr and "invalid" not in listed.stderr.lower(), listed.stderr
    finally:
        client.stop_backend(port)


class _Impostor(BaseHTTPRequestHandler):
    victim_pid = 0

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._answer()

    def do_POST(self):  # noqa: N802
        self._answer()

    def _answer(self):
        body = json.dumps({"ecsship_local": True, "ok": True, "pid": self.victim_pid, "port": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def test_an_impostor_server_is_not_trusted_and_its_pid_never_signalled():
    """Old code: probe() trusted {"ecsship_local": true} and `local down` killed the pid it reported."""
    from ecsship.local import client

    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    _Impostor.victim_pid = victim.pid
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert client.probe(port) is None, "no state file: nothing to authenticate against"
        client.write_state(port, {"pid": os.getpid(), "identity": None, "token": "a" * 40, "port": port})
        assert client.probe(port) is None, "it cannot prove it knows the token"
        client.stop_backend(port, timeout=0.5)
        assert victim.poll() is None, "the pid an HTTP reply named was signalled"
    finally:
        server.shutdown()
        victim.kill()
        victim.wait()
        client.remove_state(port)


def test_down_with_a_stale_state_file_never_kills_a_reused_pid():
    """Old code: nothing answers, the state file's pid is alive (reused, or after a reboot): killed after 10 s."""
    from ecsship.local import client
    from ecsship.local.identity import process_identity

    port = free_port()
    unrelated = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        recorded = {**(process_identity(unrelated.pid) or {}), "start": "1"}  # the server's, before the pid was reused
        client.write_state(port, {"pid": unrelated.pid, "identity": recorded, "token": "b" * 40, "port": port})
        result = subprocess.run([ECSSHIP, "local", "down", "--port", str(port)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert unrelated.poll() is None, "a reused pid was killed"
        assert not client.state_path(port).exists(), "the stale state file is dropped"
    finally:
        unrelated.kill()
        unrelated.wait()


def test_a_socket_of_another_user_is_refused(monkeypatch, local_server):
    from ecsship.local import client, identity

    assert identity.listener_uid(local_server.port) in (os.getuid(), None)
    monkeypatch.setattr(identity, "listener_uid", lambda port: os.getuid() + 1)
    with pytest.raises(client.ForeignServer):
        client.control(local_server.port, "status")
    assert client.probe(local_server.port) is None


def test_the_server_log_rotates_while_it_runs(tmp_path):
    """Issue #22 (files): a long-running local AWS rotates its log by size while it runs (not only when
    the next one starts): at most the log and two backups, each near the limit, all 0600."""
    import time
    import urllib.error
    import urllib.request

    port, log = free_port(), tmp_path / "local.log"
    server = subprocess.Popen([sys.executable, "-m", "ecsship.local.server", "--port", str(port), "--bare", "--manual-clock",
                               "--no-state-file", "--verbose", "--log-file", str(log), "--log-max-bytes", "2000",
                               "--parent-pid", str(os.getpid())], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and "listening" in log.read_text(errors="replace")):
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.05)
        for i in range(60):  # --verbose: one log line per request, ~100 bytes each
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/?request={i}", timeout=10).close()
            except urllib.error.HTTPError:
                pass  # refused (unsigned) is logged as well
    finally:
        server.terminate()
        server.wait(timeout=30)
    files = sorted(tmp_path.glob("local.log*"))
    assert [f.name for f in files] == ["local.log", "local.log.1", "local.log.2"]
    assert all(f.stat().st_size <= 2000 and stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert "request=59" in log.read_text() + (tmp_path / "local.log.1").read_text()


def test_connections_stay_open_between_answers_and_close_when_asked(aws, monkeypatch):
    """HTTP/1.1 connections persist unless a side sends `Connection: close` (RFC 9112, 9.3), as AWS
    endpoints keep them for the SDKs' connection pools. A body the server leaves unread (a control call
    needs none) must not be taken for the next request."""
    connection = http.client.HTTPConnection("127.0.0.1", aws.port, timeout=10)
    requests = (("/_ecsship/status", b"x" * 5000), ("/", b"Action=DescribeVpcs&Version=2016-11-15"), ("/_ecsship/status", b""))
    first = None
    for path, body in requests:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        assert 400 <= response.status < 500, (path, response.status)  # unsigned: refused, but answered
        assert response.getheader("Connection") is None
        first = first or connection.sock
        assert connection.sock is first, "one connection for every request"
    connection.request("POST", "/_ecsship/status", headers={"Connection": "close"})
    response = connection.getresponse()
    response.read()
    assert response.getheader("Connection") == "close"
    connection.close()

    ecs = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1").client(
        "ecs", endpoint_url=aws.endpoint_url)
    for _ in range(3):
        ecs.list_clusters()
    pool = ecs._endpoint.http_session._manager.connection_from_url(aws.endpoint_url)
    assert (pool.num_requests, pool.num_connections) == (3, 1), "boto3 reuses its connection"

    from ecsship.local import client

    made = []
    original = http.client.HTTPConnection.connect
    monkeypatch.setattr(http.client.HTTPConnection, "connect", lambda self: made.append(self) or original(self))
    for _ in range(3):
        client.control(aws.port, "advance", seconds=0)
    assert len(made) <= 1, "control calls from one thread share a connection"
