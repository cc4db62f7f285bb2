"""Finding, starting and stopping the local AWS process. On the CLI start-up path: standard library only
(no moto, no boto3).

One backend per port. Its state file ($XDG_STATE_HOME/ecsship/local-<port>.json, else
~/.local/state/ecsship/...) records pid, port, start time and options; the server writes it once it
answers and removes it when it stops. A state file whose pid is dead is stale and removed on sight.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from ecsship.errors import EcsshipError
from ecsship.local.logfile import private_opener, rotate_before_start

DEFAULT_PORT = 4566
HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60.0


class LocalBackendError(EcsshipError):
    """The local AWS cannot be started, reached or stopped."""


def default_port() -> int:
    raw = os.environ.get("ECSSHIP_LOCAL_PORT") or ""
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        from ecsship.errors import UsageError

        raise UsageError(f"ECSSHIP_LOCAL_PORT={raw!r}: not a port number (1-65535)", "unset it or set a port, e.g. 4566")
    return int(raw)


def endpoint_for(port: int) -> str:
    return f"http://{HOST}:{port}"


# -- state files ---------------------------------------------------------------------------
def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "ecsship"


def state_path(port: int) -> Path:
    return state_dir() / f"local-{port}.json"


def log_path(port: int) -> Path:
    return state_dir() / f"local-{port}.log"


def write_state(port: int, data: dict) -> None:
    """The state file holds the control token: 0600, in a 0700 directory this user owns, never
    written through a symlink."""
    from ecsship.files import private_dir, write_private

    path = state_path(port)
    private_dir(path.parent)
    write_private(path, json.dumps(data, indent=2))


def read_state(port: int) -> dict | None:
    from ecsship.files import read_private

    text = read_private(state_path(port))
    try:
        data = json.loads(text) if text is not None else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def remove_state(port: int, only_pid: int | None = None) -> None:
    if only_pid is not None:
        state = read_state(port)
        if state is not None and state.get("pid") != only_pid:
            return  # another process owns the port now
    try:
        state_path(port).unlink()
    except FileNotFoundError:
        pass


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """An exited child its parent has not collected yet (e.g. a backend a test process started)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def server_alive(state: dict | None) -> bool:
    """The process the state file names still runs *and* is that server: a pid reused by another
    program (or after a reboot) does not count."""
    from ecsship.local.identity import same_process

    if not state or not pid_alive(state.get("pid")):
        return False
    return same_process(state.get("pid"), state.get("identity"))


# -- talking to a backend ----------------------------------------------------------------
class ForeignServer(LocalBackendError):
    """What listens on the port is not this user's ecsship local AWS."""


def _check_listener(port: int) -> None:
    """Refuse to talk to a socket another user owns (Linux: /proc/net/tcp; elsewhere the HMAC proof
    alone authenticates the server)."""
    from ecsship.local.identity import listener_uid

    uid = listener_uid(port)
    if uid is not None and hasattr(os, "getuid") and uid != os.getuid():
        raise ForeignServer(f"port {port} on {HOST} is held by another user (uid {uid}), not by your local AWS",
                            f"pick another port: `ecsship local up --port {port + 1}`")


def _request(port: int, action: str, method: str = "GET", timeout: float = 30.0, params: dict | None = None) -> dict:
    """One authenticated control call: we prove we know the token, the server proves it back.
    The token itself is never sent, so a server that is not ours learns nothing from us."""
    import hmac
    import secrets
    from urllib.parse import urlencode

    from ecsship.local.auth import proof

    state = read_state(port)
    token = (state or {}).get("token")
    if not token:
        raise ForeignServer(f"no local AWS state file for port {port} (or it has no token)",
                            f"start one with `ecsship local up{'' if port == DEFAULT_PORT else f' --port {port}'}`")
    _check_listener(port)
    nonce = secrets.token_hex(16)
    path = f"/_ecsship/{action}" + (("?" + urlencode(params)) if params else "")
    headers = {"X-Ecsship-Nonce": nonce, "X-Ecsship-Auth": proof(token, "client", nonce)}
    status, proof_header, body = _exchange(port, method, path, headers, timeout)
    if not hmac.compare_digest(proof_header or "", proof(token, "server", nonce)):
        raise ForeignServer(f"what answers on port {port} is not the local AWS its state file describes",
                            f"remove {state_path(port)} and the program on port {port}, then `ecsship local up`")
    if status != 200:
        raise LocalBackendError(f"local AWS on port {port}: {action} failed: {body.decode(errors='replace')}")
    return json.loads(body or b"{}")


_open = threading.local()  # per thread: port -> (pid, connection)


def _exchange(port: int, method: str, path: str, headers: dict, timeout: float) -> tuple[int, str | None, bytes]:
    """One request on this thread's open connection to the port (a test or a watch sends thousands of
    control calls: a new connection each cost the server a thread). A connection the server closed
    meanwhile (it stopped, or restarted on the port) fails before anything was read: that request is
    sent once more on a new connection. A connection made in another process (fork) is never used."""
    connections = _open.__dict__.setdefault("by_port", {})
    for attempt in (1, 2):
        pid, connection = connections.get(port, (None, None))
        reused = connection is not None and pid == os.getpid()
        if not reused:
            connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
            connections[port] = (os.getpid(), connection)
        elif connection.sock is not None:
            connection.sock.settimeout(timeout)
        try:
            connection.request(method, path, body=b"" if method == "POST" else None, headers=headers)
            response = connection.getresponse()
            body = response.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            connections.pop(port, None)
            connection.close()
            if reused and attempt == 1:
                continue
            raise
        except BaseException:
            connections.pop(port, None)
            connection.close()
            raise
        if response.will_close:
            connections.pop(port, None)
            connection.close()
        return response.status, response.getheader("X-Ecsship-Proof"), body
    raise AssertionError("unreachable")


def probe(port: int, timeout: float = 2.0, attempts: int = 2) -> dict | None:
    """The backend's status if this user's ecsship local AWS answers on the port (authenticated by
    the token in its state file), else None."""
    for attempt in range(attempts):
        try:
            payload = _request(port, "status", timeout=timeout)
            return payload if isinstance(payload, dict) and payload.get("ecsship_local") else None
        except (ForeignServer, ConnectionRefusedError):
            return None  # nothing listens, or something that is not ours
        except (OSError, ValueError, LocalBackendError, http.client.HTTPException):
            if attempt + 1 == attempts:
                return None
            time.sleep(0.1)  # a busy machine: a cut or slow answer is worth one more try
    return None


def control(port: int, action: str, timeout: float = 30.0, **params) -> dict:
    """POST a control action (reset, advance, config, shutdown) to the backend on the port,
    authenticated with the token from its state file."""
    try:
        return _request(port, action, method="POST", timeout=timeout, params=params)
    except LocalBackendError:
        raise
    except (OSError, ValueError, http.client.HTTPException) as exc:  # IncompleteRead: a cut answer
        raise LocalBackendError(
            f"no local AWS answers on port {port} ({exc})", "start one with `ecsship local up`"
        ) from None


def credentials(port: int) -> dict:
    """The credentials ecsship's own clients use on the local AWS: the token as access key (which a
    server started with --auth requires; any key works otherwise)."""
    token = (read_state(port) or {}).get("token")
    return {"aws_access_key_id": token or "testing", "aws_secret_access_key": "testing"}


def port_in_use(port: int) -> bool:
    """Something listens on (or holds) the port. SO_REUSEADDR as the server binds: a connection
    lingering in TIME_WAIT does not make the port unusable."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def discover(port: int) -> dict | None:
    """The running backend on the port (its live status merged over its state file), or None.

    A state file whose process is gone (or whose pid now belongs to another process) is removed here.
    """
    state = read_state(port)
    if state is not None and not server_alive(state):
        remove_state(port)
        state = None
    status = probe(port)
    if status is None:
        return None
    return {**(state or {}), **status, "state_file": str(state_path(port))}


# -- starting and stopping ---------------------------------------------------------------
def start_backend(
    port: int,
    bare: bool = False,
    speed: float | None = None,
    fail_images: str | None = None,
    fail_mode: str | None = None,
    manual_clock: bool = False,
    timeout: float = START_TIMEOUT_SECONDS,
    plain_moto: bool = False,
    parent_pid: int | None = None,
    auth: bool = False,
    latency: str | None = None,
) -> dict:
    """Start a backend process in the background and return its status once it answers.
    `latency` (`80ms`, or ECSSHIP_LOCAL_LATENCY): a delay added to every AWS API answer."""
    running = discover(port)
    if running is not None:
        raise AlreadyRunning(port, running)
    if port_in_use(port):
        raise LocalBackendError(
            f"port {port} on {HOST} is already in use by another program",
            f"stop that program, or pick another port: `ecsship local up --port {port + 1}` "
            f"(and `--local-port {port + 1}` on other commands)",
        )
    # A backend started implicitly by --local takes its settings from the environment.
    speed = speed if speed is not None else _env_float("ECSSHIP_LOCAL_SPEED")
    fail_images = fail_images if fail_images is not None else os.environ.get("ECSSHIP_LOCAL_FAIL_IMAGES")
    fail_mode = fail_mode if fail_mode is not None else os.environ.get("ECSSHIP_LOCAL_FAIL_MODE")
    if fail_mode is not None and fail_mode not in ("health-check", "exit"):
        raise LocalBackendError(f"fail mode {fail_mode!r} is not health-check or exit")
    latency_ms = latency_from(latency)
    command = [sys.executable, "-m", "ecsship.local.server", "--port", str(port)]
    if bare:
        command.append("--bare")
    if speed is not None:
        command += ["--speed", str(speed)]
    if fail_images is not None:
        command += ["--fail-images", fail_images]
    if fail_mode is not None:
        command += ["--fail-mode", fail_mode]
    if manual_clock:
        command.append("--manual-clock")
    if plain_moto:
        command.append("--plain-moto")
    if parent_pid:
        command += ["--parent-pid", str(parent_pid)]
    if auth:
        command.append("--auth")
    if latency_ms:
        command += ["--latency-ms", str(latency_ms)]
    log = log_path(port)
    _open_log(log)
    command += ["--log-file", str(log)]
    with open(log, "ab", opener=private_opener) as log_file:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True, close_fds=True,  # detached: it outlives this command and its terminal
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = probe(port, timeout=0.5)
        if status is not None and status.get("pid") == process.pid:
            return {**(read_state(port) or {}), **status}
        if process.poll() is not None:
            raise LocalBackendError(
                f"the local AWS on port {port} exited during start-up (code {process.returncode})",
                f"see its log: {log}\n{_tail(log)}",
            )
        time.sleep(0.1)
    _kill(process.pid)
    raise LocalBackendError(f"the local AWS on port {port} did not answer within {timeout:.0f} s", f"see its log: {log}")


def _env_float(name: str) -> float | None:
    value = os.environ.get(name)
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise LocalBackendError(f"{name}={value!r} is not a number") from None


def latency_from(latency: str | None) -> float:
    """Milliseconds of `--latency`, else of ECSSHIP_LOCAL_LATENCY, else 0."""
    from ecsship.local.latency import parse_latency_ms

    name, value = ("--latency", latency) if latency is not None else ("ECSSHIP_LOCAL_LATENCY", os.environ.get("ECSSHIP_LOCAL_LATENCY"))
    if not value:
        return 0.0
    try:
        return parse_latency_ms(value)
    except ValueError as exc:
        raise LocalBackendError(f"{name}: {exc}") from None


class AlreadyRunning(LocalBackendError):
    def __init__(self, port: int, status: dict):
        self.status = status
        super().__init__(f"a local AWS is already running on port {port} (pid {status.get('pid')})",
                         "`ecsship local status` shows it; `ecsship local down` stops it")


def stop_backend(port: int, timeout: float = 10.0) -> dict | None:
    """Stop the backend on the port; returns what was stopped, or None when nothing ran.

    Only a pid from our own state file is ever signalled (never one an HTTP reply names), and only
    while that pid is still the process the server recorded (start time and command line): a pid
    reused by another program, or a state file left by a reboot, is dropped instead."""
    state = read_state(port)
    running = discover(port)  # drops the state file when its process is gone or not the server
    if running is not None:
        try:
            control(port, "shutdown", timeout=5)
        except LocalBackendError:
            pass
    if not server_alive(state):
        remove_state(port)
        return running
    pid = state["pid"]
    deadline = time.monotonic() + timeout
    while server_alive(state) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if server_alive(state):
        _kill(pid, state.get("identity"))
    remove_state(port)
    return running or state


def _reap(pid: int) -> None:
    # When this process started the server (tests, --local), collect it so it does not linger as a zombie.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _kill(pid: int, identity: dict | None = None) -> None:
    from ecsship.local.identity import same_process

    for sig in (signal.SIGTERM, signal.SIGKILL):
        if identity is not None and not same_process(pid, identity):
            return  # it exited and the pid was reused meanwhile
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        for _ in range(40):
            _reap(pid)
            if not pid_alive(pid):
                return
            time.sleep(0.05)


def _open_log(log: Path) -> None:
    """The log's directory is private; a log grown past its limit is rotated before a new server
    appends to it (the server rotates it while it runs too: ecsship/local/logfile.py)."""
    from ecsship.files import private_dir

    private_dir(log.parent)
    rotate_before_start(log)


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def ensure_local_backend(port: int | None = None, notify: Callable[[str], None] | None = None) -> str:
    """The endpoint of the local AWS on the port (default 4566), started in the background if none runs."""
    port = port or default_port()
    if discover(port) is not None:
        return endpoint_for(port)
    try:
        start_backend(port)
    except AlreadyRunning:  # another command started it meanwhile
        return endpoint_for(port)
    if notify is not None:
        notify(f"started local AWS at {endpoint_for(port)} (stop it with `ecsship local down`)")
    return endpoint_for(port)
