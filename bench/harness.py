"""What every benchmark needs: an isolated environment, a local backend on the bench's own port,
running a tool in a subprocess with its AWS calls recorded (bench/hook/sitecustomize.py), its wall
time and its peak RSS (os.wait4 on the child), seeding an account, and small statistics.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
HOOK_DIR = BENCH / "hook"
BIN = Path(sys.executable).parent
ECSSHIP = str(BIN / "ecsship")
# The peer runs from its own venv (`make bench` creates it, pinned): never ecsship's environment.
ECS_DEPLOY = os.environ.get("BENCH_ECS_DEPLOY") or str(ROOT / ".venv-bench" / "bin" / "ecs")
# The floor of "wait for a rollout": the AWS CLI v1 (a botocore process too, so the same hook counts
# its calls), pinned in the same venv (the Makefile's AWSCLI_VERSION).
AWS_CLI = os.environ.get("BENCH_AWS_CLI") or str(ROOT / ".venv-bench" / "bin" / "aws")
EXAMPLES = ROOT / "examples"

from ecsship.aws.session import is_read_operation  # noqa: E402  (the product's own read/write rule)

DEFAULT_PORT = int(os.environ.get("BENCH_PORT", "4610"))
REGION = "us-east-1"


# -- environment -----------------------------------------------------------------------------
def isolated_environment() -> Path:
    """Dummy credentials, no real AWS, a private state dir; returns the temp home."""
    home = Path(tempfile.mkdtemp(prefix="ecsship-bench-"))
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL",
                 "AWS_REGION", "ECSSHIP_LOCAL_PORT", "ECSSHIP_FAULTS"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE=str(home / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        XDG_STATE_HOME=str(home / "state"),
        NO_COLOR="1",
    )
    return home


# -- the local backend -----------------------------------------------------------------------
def free_port_pair(start: int, tries: int = 40) -> int:
    """The first port from `start` on such that it and the next are free (nothing listens, nothing binds):
    a backend left behind by someone else is never touched, the bench moves on."""
    from ecsship.local import client

    for port in range(start, start + 2 * tries, 2):
        if not any(client.port_in_use(p) or client.probe(p, timeout=0.3) for p in (port, port + 1)):
            return port
    raise RuntimeError(f"no two free ports between {start} and {start + 2 * tries}")


class Backend:
    """One ecsship local AWS on the bench's port, started and stopped by the bench."""

    def __init__(self, port: int = DEFAULT_PORT, speed: float = 15.0):
        self.port = port
        self.speed = speed
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self._clients: dict[str, object] = {}

    def start(self) -> "Backend":
        from ecsship.local import client

        client.start_backend(self.port, speed=self.speed)
        return self

    def stop(self) -> None:
        from ecsship.local import client

        client.stop_backend(self.port)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self) -> dict:
        from ecsship.local import client

        return client.control(self.port, "reset", timeout=60)

    def status(self) -> dict:
        from ecsship.local import client

        return client.probe(self.port, timeout=5) or {}

    def client(self, service: str):
        c = self._clients.get(service)
        if c is None:
            import boto3
            from botocore.config import Config

            c = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                      region_name=REGION).client(
                service, endpoint_url=self.endpoint_url,
                config=Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=16))
            self._clients[service] = c
        return c


# -- running a tool --------------------------------------------------------------------------
@dataclass
class Call:
    svc: str
    op: str
    t0: float
    t1: float

    @property
    def read(self) -> bool:
        return is_read_operation(self.op)


@dataclass
class Run:
    argv: list[str]
    rc: int
    started: float  # epoch seconds
    ended: float
    maxrss_kb: int  # peak RSS of the child (see run())
    stdout: str
    stderr: str
    calls: list[Call] = field(default_factory=list)
    clients: list[tuple[str, float]] = field(default_factory=list)  # (service, seconds to create the client)

    @property
    def wall(self) -> float:
        return self.ended - self.started

    @property
    def reads(self) -> int:
        return sum(1 for c in self.calls if c.read)

    @property
    def writes(self) -> int:
        return sum(1 for c in self.calls if not c.read)

    @property
    def client_seconds(self) -> float:
        return sum(seconds for _, seconds in self.clients)

    @property
    def call_seconds(self) -> float:
        return sum(c.t1 - c.t0 for c in self.calls)

    def by_operation(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.calls:
            key = f"{c.svc}.{c.op}"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def summary(self) -> dict:
        return {"rc": self.rc, "wall_s": round(self.wall, 4), "calls": len(self.calls), "reads": self.reads,
                "writes": self.writes, "maxrss_mb": round(self.maxrss_kb / 1024, 1),
                "clients": len(self.clients), "client_s": round(self.client_seconds, 4),
                "client_detail_s": {svc: round(seconds, 4) for svc, seconds in self.clients},
                "by_operation": self.by_operation()}

    def tail(self, lines: int = 6) -> str:
        return "\n".join((self.stdout + self.stderr).strip().splitlines()[-lines:])


def run(argv: list[str], *, record: bool = True, env: dict | None = None, timeout: float = 300,
        cwd: Path | None = None) -> Run:
    """Run argv in a subprocess; wall time, peak RSS of the child (wait4), and its AWS calls."""
    full_env = {**os.environ, **(env or {})}
    out_path = None
    if record:
        fd, out_path = tempfile.mkstemp(prefix="bench-calls-", suffix=".jsonl")
        os.close(fd)
        full_env["BENCH_CALLS_OUT"] = out_path
        full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HOOK_DIR), full_env.get("PYTHONPATH")]))
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        started = time.time()
        proc = subprocess.Popen(argv, stdout=so, stderr=se, stdin=subprocess.DEVNULL, env=full_env,
                                cwd=str(cwd or ROOT))
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        ended = time.time()
        proc.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        stdout = so.read().decode(errors="replace")
        stderr = se.read().decode(errors="replace")
    calls: list[Call] = []
    clients: list[tuple[str, float]] = []
    # Peak RSS: the child's own VmHWM reported by the hook; without it (record=False, or the child was
    # killed) wait4's ru_maxrss, which on Linux is at least the RSS of this process when it forked.
    peak_kb = usage.ru_maxrss
    if out_path:
        with open(out_path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    d = json.loads(line)
                except ValueError:
                    continue
                if "vmhwm_kb" in d:
                    peak_kb = d["vmhwm_kb"]
                elif "client" in d:
                    clients.append((d["client"], d["t1"] - d["t0"]))
                else:
                    calls.append(Call(d["svc"], d["op"], d["t0"], d["t1"]))
        os.unlink(out_path)
    return Run(list(argv), proc.returncode, started, ended, peak_kb, stdout, stderr, calls, clients)


def ecsship(*args: str, port: int, local: bool = True, **kwargs) -> Run:
    prefix = ["--local", "--local-port", str(port)] if local else []
    return run([ECSSHIP, *prefix, *map(str, args)], **kwargs)


DEBUG_LINE = re.compile(r"AWS calls: (\d+) \((\d+) reads, (\d+) writes\)")


def debug_counts(text: str) -> tuple[int, int, int] | None:
    """(total, reads, writes) from ecsship's `--debug` summary line, if present."""
    m = DEBUG_LINE.search(text)
    return tuple(int(g) for g in m.groups()) if m else None


# -- statistics ------------------------------------------------------------------------------
def median(values) -> float:
    return statistics.median(values)


def mad(values) -> float:
    m = statistics.median(values)
    return statistics.median(abs(v - m) for v in values)


def linear_slope(ys: list[float]) -> float:
    """Least-squares slope of ys against 1..n (seconds per additional item)."""
    n = len(ys)
    if n < 2:
        return 0.0
    xs = range(1, n + 1)
    mx, my = (n + 1) / 2, sum(ys) / n
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    den = sum((x - mx) ** 2 for x in xs)
    return num / den


# -- manifests -------------------------------------------------------------------------------
def example(name: str) -> Path:
    return EXAMPLES / name / "ecsship.yaml"


def manifest_fields(path: Path) -> dict:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))
