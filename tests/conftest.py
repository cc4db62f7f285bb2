"""Suite-wide fixtures: an isolated environment and the local AWS every AWS-facing test runs against.

Contract (other test packages rely on these names):
- `local_server` (session): one seeded local AWS process on a free 127.0.0.1 port, manual clock.
  Attributes: .port, .endpoint_url.
- `aws` (function): resets that backend to the seeded state, then gives .endpoint_url, .port,
  .client(service) (boto3, us-east-1, dummy credentials), .advance(seconds) (moves the simulator's
  clock), .set_alarm(name, state), .configure(fail_images=..., fail_mode=...) (undone at the next
  reset), .status() (the backend's /_ecsship/status), .reset().
- `run_cli` (function, uses `aws`): run_cli(*args, input=None, env=None) -> result with .exit_code,
  .stdout, .stderr; `ecsship --local --local-port <port> ...` in-process through typer's CliRunner.
- `run_ecsship` (function, uses `aws`): the same through the real `ecsship` console script in a
  subprocess (ECSSHIP_LOCAL_PORT and --local-port point it at the test backend). Extra keyword:
  local=False leaves --local off; timeout=seconds.
- `secret_values`: every seeded secret value; assert none appears in an output.
- `inprocess_aws` (function): the same seeded account, fidelity fixes and simulator, but in this
  process under moto's `mock_aws` (no HTTP); same attributes as `aws` except .endpoint_url/.port
  (None). For tests of library code that build their own boto3 clients without an endpoint.
- helpers: `free_port()`, `LocalServer(port)`. ECSSHIP_TEST_PLAIN_MOTO=1 runs the backend without the
  fidelity fixes and the simulator (to watch tests/local/test_fidelity.py fail). Backend logs are in
  $XDG_STATE_HOME/ecsship/local-<port>.log ($XDG_STATE_HOME is a temporary directory per run).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# -- isolation: no test can reach real AWS or touch the user's files --------------------------
_SESSION_HOME = tempfile.mkdtemp(prefix="ecsship-tests-")
for _name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
    os.environ.pop(_name, None)
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE=os.path.join(_SESSION_HOME, "aws-config"),
    AWS_SHARED_CREDENTIALS_FILE=os.path.join(_SESSION_HOME, "aws-credentials"),
    AWS_EC2_METADATA_DISABLED="true",
    XDG_STATE_HOME=os.path.join(_SESSION_HOME, "state"),
)
for _name in ("ECSSHIP_LOCAL_PORT", "ECSSHIP_LOCAL_SPEED", "ECSSHIP_LOCAL_FAIL_IMAGES", "ECSSHIP_LOCAL_FAIL_MODE",
              "ECSSHIP_LOCAL_LATENCY"):
    os.environ.pop(_name, None)

REPO_ROOT = Path(__file__).resolve().parent.parent
ECSSHIP_SCRIPT = Path(sys.executable).parent / "ecsship"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LocalServer:
    port: int

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def local_server():
    from ecsship.local import client

    port = free_port()
    # ECSSHIP_TEST_PLAIN_MOTO=1: moto without our fixes or simulator, to watch tests/local/test_fidelity.py fail.
    client.start_backend(port, manual_clock=True, plain_moto=os.environ.get("ECSSHIP_TEST_PLAIN_MOTO") == "1",
                         parent_pid=os.getpid())  # a killed test run leaves no server behind
    try:
        yield LocalServer(port)
    finally:
        client.stop_backend(port)


class AwsHandle:
    """What a test needs from the backend: boto3 clients, the clock, alarms, failure injection."""

    def __init__(self, server: LocalServer):
        self.server = server
        self.port = server.port
        self.endpoint_url = server.endpoint_url
        self._clients: dict[str, object] = {}
        self._configured = False

    def client(self, service_name: str):
        client = self._clients.get(service_name)
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
            ).client(service_name, endpoint_url=self.endpoint_url, config=Config(retries={"mode": "standard", "max_attempts": 2}))
            self._clients[service_name] = client
        return client

    def reset(self) -> None:
        from ecsship.local import client

        if self._configured:
            client.control(self.port, "config", fail_images="*broken*", fail_mode="health-check")
            self._configured = False
        client.control(self.port, "reset")

    def advance(self, seconds: float) -> float:
        """Move the backend's clock forward; the simulator catches up before answering."""
        from ecsship.local import client

        return client.control(self.port, "advance", seconds=seconds)["now"]

    def set_alarm(self, name: str, state: str, reason: str = "set by a test") -> None:
        self.client("cloudwatch").set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)

    def configure(self, fail_images: str | None = None, fail_mode: str | None = None) -> dict:
        from ecsship.local import client

        params = {k: v for k, v in (("fail_images", fail_images), ("fail_mode", fail_mode)) if v is not None}
        self._configured = True
        return client.control(self.port, "config", **params)

    def status(self) -> dict:
        from ecsship.local import client

        return client.probe(self.port) or {}


_handles: dict[int, AwsHandle] = {}


@pytest.fixture
def aws(local_server) -> AwsHandle:
    handle = _handles.get(local_server.port)
    if handle is None:
        handle = _handles[local_server.port] = AwsHandle(local_server)  # clients reused: ~30 ms each to build
    handle.reset()
    return handle


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def run_cli(aws, simulated_watch_time):
    """Run `ecsship --local ARGS` in process. Its clock is the test's simulated one (or `clock=`),
    handed to the run's Application (`Application.given_clock`) as an embedding program would."""
    from typer.testing import CliRunner

    from ecsship.app.application import Application
    from ecsship.cli.app import app

    def run(*args: str, input: str | None = None, env: dict | None = None, clock=None) -> CliResult:
        runner = CliRunner()
        given = Application(given_clock=clock or simulated_watch_time)
        result = runner.invoke(app, ["--local", "--local-port", str(aws.port), *map(str, args)], input=input, env=env, obj=given)
        exception = result.exception if not isinstance(result.exception, SystemExit) else None
        return CliResult(result.exit_code, result.stdout, result.stderr, exception)

    return run


@pytest.fixture
def run_ecsship(aws):
    def run(*args: str, input: str | None = None, env: dict | None = None, local: bool = True,
            timeout: float = 120, cwd: str | os.PathLike | None = None) -> CliResult:
        full_env = {**os.environ, "ECSSHIP_LOCAL_PORT": str(aws.port), **(env or {})}
        prefix = ["--local", "--local-port", str(aws.port)] if local else []
        completed = subprocess.run(
            [str(ECSSHIP_SCRIPT), *prefix, *map(str, args)], input=input, env=full_env, cwd=cwd,
            capture_output=True, text=True, timeout=timeout,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    return run


@pytest.fixture
def secret_values() -> tuple[str, ...]:
    from ecsship.local.seed import SECRET_VALUES

    return SECRET_VALUES


class InProcessHandle:
    """`aws`'s interface over an in-process backend (moto's mock_aws, no server)."""

    endpoint_url = None
    port = None

    def __init__(self, backend):
        self.backend = backend
        self._clients: dict[str, object] = {}

    def client(self, service_name: str):
        client = self._clients.get(service_name)
        if client is None:
            import boto3

            client = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
            ).client(service_name)
            # The simulator catches up before every call, as the server does before every request.
            client.meta.events.register("before-call.*.*", lambda **_: self.backend._catch_up())
            self._clients[service_name] = client
        return client

    def reset(self) -> None:
        self.backend.options.fail_images, self.backend.options.fail_mode = "*broken*", "health-check"
        self.backend.simulator.configure("*broken*", "health-check")
        self.backend.reset()

    def advance(self, seconds: float) -> float:
        with self.backend.lock:
            self.backend.clock.advance(seconds)
            self.backend._catch_up()
        return self.backend.clock.now()

    def set_alarm(self, name: str, state: str, reason: str = "set by a test") -> None:
        self.client("cloudwatch").set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)

    def configure(self, fail_images: str | None = None, fail_mode: str | None = None) -> dict:
        if fail_images is not None:
            self.backend.options.fail_images = fail_images
        if fail_mode is not None:
            self.backend.options.fail_mode = fail_mode
        self.backend.simulator.configure(self.backend.options.fail_images, self.backend.options.fail_mode)
        return {"fail_images": self.backend.options.fail_images, "fail_mode": self.backend.options.fail_mode}

    def status(self) -> dict:
        return self.backend.status()


_inprocess: dict[str, object] = {}


@pytest.fixture
def inprocess_aws():
    from moto import mock_aws

    from ecsship.local.backend import BackendOptions, LocalBackend

    handle = _inprocess.get("handle")
    if handle is None:
        handle = _inprocess["handle"] = InProcessHandle(LocalBackend(BackendOptions(port=0, manual_clock=True)))
    else:
        handle.reset()
    mock = mock_aws()
    mock.start(reset=False)
    try:
        yield handle
    finally:
        mock.stop(remove_data=False)


@pytest.fixture(autouse=True)
def simulated_watch_time(request):
    """In every test that talks to the local AWS, ecsship sleeps in simulated time: each sleep
    advances the backend's clock instead of waiting. `apply` and `deploy` follow rollouts to their
    end, so without this a test would wait out real minutes. `run_cli` hands this clock to the run."""
    if "aws" not in request.fixturenames:
        yield None
        return
    from ecsship.deploy.clock import FakeClock

    handle = request.getfixturevalue("aws")
    yield FakeClock(on_sleep=handle.advance)


@pytest.fixture(scope="session", autouse=True)
def shared_botocore_models():
    """Each in-process CLI run builds a fresh boto3 session and its clients, and each rebuilds the same
    static things from the same model files: the parsed JSON (~0.4 s for the dozen clients a plan
    uses), the client class (a method and docstring object per operation: ~600 for EC2) and the
    endpoint rule set (a tree of rule objects). Shared for the whole test session they cost about a
    third of the ~30 ms a client took. Clients, sessions, credentials and event handlers stay per
    session: what each run registers (call counting, fault injection) is unaffected."""
    import functools

    import botocore.client
    import botocore.endpoint_provider
    import botocore.loaders
    import botocore.session

    original_loader = botocore.session.create_loader
    botocore.session.create_loader = functools.lru_cache(maxsize=None)(lambda search_paths_envvar=None: original_loader(search_paths_envvar))

    # The class depends on the service model and on `creating-client-class` handlers, which only
    # boto3's defaults register (the same in every session): one class per service model.
    original_class = botocore.client.ClientCreator._create_client_class
    classes: dict = {}

    def create_client_class(self, service_name, service_model):
        key = (service_name, service_model.api_version, service_model.metadata.get("protocol"))
        if key not in classes:
            classes[key] = original_class(self, service_name, service_model)
        return classes[key]

    # The rule set is read-only once built; with the shared loader its data is the same dict each time
    # (the cache keeps a reference, so an id is never reused).
    original_provider_init = botocore.endpoint_provider.EndpointProvider.__init__
    rule_sets: dict = {}

    def provider_init(self, ruleset_data, partition_data, excluded_params=None):
        key = (id(ruleset_data), id(partition_data))
        if key not in rule_sets:
            original_provider_init(self, ruleset_data, partition_data, excluded_params)
            rule_sets[key] = (self.ruleset, ruleset_data, partition_data)
        self.ruleset = rule_sets[key][0]
        self._excluded_params = excluded_params or frozenset()

    botocore.client.ClientCreator._create_client_class = create_client_class
    botocore.endpoint_provider.EndpointProvider.__init__ = provider_init
    yield
    botocore.session.create_loader = original_loader
    botocore.client.ClientCreator._create_client_class = original_class
    botocore.endpoint_provider.EndpointProvider.__init__ = original_provider_init


@pytest.fixture(scope="session", autouse=True)
def shared_click_command():
    """typer's CliRunner turns the Typer app into its click command on every invoke: ~18 ms of
    introspecting every command's signature, for each of the thousands of `run_cli` calls. The command
    is built once per app and reused, as one `ecsship` process uses it; rebuilt if commands are added
    (the key counts them). Each invoke still gets its own click context, streams and environment."""
    import typer.testing

    original = typer.testing._get_command
    commands: dict = {}

    def get_command(typer_instance):
        key = (id(typer_instance), len(typer_instance.registered_commands), len(typer_instance.registered_groups))
        if key not in commands:
            commands[key] = (typer_instance, original(typer_instance))  # the app kept: its id never reused
        return commands[key][1]

    typer.testing._get_command = get_command
    yield
    typer.testing._get_command = original


# -- scheduling: the longest tests start first -------------------------------------------------
# pytest-xdist (`make test`: -n 3, --dist load) hands tests out in collection order: a long journey
# collected last (tests/reliability sorts late) starts when the others are nearly done and the run
# waits on it alone. So the modules with the longest tests go first (measured 30 Nov 2026, slowest
# first), then every other test on the local AWS, then the rest (unit tests, milliseconds each) fill
# the gaps at the end. Only the order changes; every worker computes the same one.
LONGEST_FIRST = (
    "tests/reliability/test_secrets_never_shown.py",
    "tests/deploy/test_environments.py",
    "tests/deploy/test_e2e.py",
    "tests/acceptance/test_local.py",
    "tests/manifest/test_fuzz.py",
    "tests/ops/test_logs.py",
    "tests/ops/test_failing.py",
    "tests/local/test_codedeploy.py",
    # These start and stop servers of their own (no `aws` fixture), so they would otherwise sort with the
    # millisecond unit tests at the end, where one 3-7 s test (1 Dec 2026) can leave the other workers idle.
    "tests/local/test_local_cli.py",
    "tests/local/test_local_security.py",
    "tests/reliability/test_fault_convergence.py",
    "tests/reliability/test_crash_consistency.py",
    "tests/reliability/test_interruption.py",
    "tests/reconcile/test_replace.py",
    "tests/deploy/test_view_width.py",
    "tests/ops/test_steps.py",
)
_LOCAL_AWS_FIXTURES = {"aws", "run_cli", "run_ecsship", "local_server", "inprocess_aws"}


def pytest_collection_modifyitems(config, items):
    rank = {path: index for index, path in enumerate(LONGEST_FIRST)}

    def key(item):
        path = item.nodeid.split("::", 1)[0]
        if path in rank:
            return (0, rank[path])
        return (1 if _LOCAL_AWS_FIXTURES & set(getattr(item, "fixturenames", ())) else 2, 0)

    items.sort(key=key)  # stable: collection order within each group
