"""The local backend as one WSGI application: moto's server app, our /_ecsship/ control endpoints,
the clock and the rollout simulator, all behind one lock.

moto's backends are not thread-safe, and the simulator must see a consistent world, so requests are
served one at a time; before each AWS request the simulator catches up to the clock's "now", which
makes every run deterministic for a given sequence of requests and clock values (no background thread).
"""
from __future__ import annotations

import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs

from ecsship.local.auth import proof
from ecsship.local.clock import SimulatedClock
from ecsship.local.seed import ACCOUNT_ID, REGION

CONTROL_PREFIX = "/_ecsship/"
# moto's ids come from its own random generator: seeding it makes the seeded account's ids the same
# on every start and every reset, and so are the ids of whatever a test creates afterwards.
SEED_RANDOM = 4566
AFTER_SEED_RANDOM = 6554
DEFAULT_FAIL_IMAGES = "*broken*"


@dataclass
class BackendOptions:
    port: int = 4566
    seed: bool = True
    speed: float = 15.0
    manual_clock: bool = False
    fail_images: str = DEFAULT_FAIL_IMAGES
    fail_mode: str = "health-check"  # or "exit": how an image matching fail_images fails
    plain_moto: bool = False  # no fidelity fixes, no simulator: to show each fidelity test fails without them
    # Made at start-up, kept in the 0600 state file: every /_ecsship/ call proves it knows it.
    token: str = field(default_factory=lambda: secrets.token_hex(20))
    latency_ms: float = 0.0  # `local up --latency`: added before every AWS API answer (ecsship/local/latency.py)
    require_key: bool = False  # `local up --auth`: AWS API requests must be signed with the token as access key


_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


class LocalBackend:
    def __init__(self, options: BackendOptions):
        prepare_moto_environment()
        from ecsship.local import fidelity, moto_speed, runtime
        from ecsship.local.simulator import Simulator

        moto_speed.apply()
        if not options.plain_moto:
            fidelity.apply()
        self.options = options
        self.lock = threading.RLock()
        self.clock = SimulatedClock(speed=options.speed, manual=options.manual_clock)
        runtime.clock = self.clock
        self.started_at = time.time()
        self.moto_app = _host_memoizing_dispatcher()
        self.simulator = Simulator(self.clock, fail_images=options.fail_images, fail_mode=options.fail_mode,
                                   install=not options.plain_moto)
        runtime.simulator = self.simulator
        self.seed_summary: dict | None = None
        self.simulator_errors = 0
        self._clients: dict[str, object] = {}
        self._session: object | None = None
        self.shutdown_hook: Callable[[], None] | None = None
        self.reset()

    # -- state --------------------------------------------------------------------------
    def reset(self) -> dict:
        """Back to the state right after start: the seeded account (or an empty one with --bare)."""
        from moto.moto_api._internal import mock_random

        with self.lock:
            started = time.perf_counter()
            _forget_all_moto_state()
            self.simulator.reset()
            mock_random.seed(SEED_RANDOM)
            self.seed_summary = self._seed() if self.options.seed else None
            if self.options.plain_moto:
                self.seed_summary = None
            mock_random.seed(AFTER_SEED_RANDOM)
            return {"ok": True, "seeded": self.options.seed, "seconds": round(time.perf_counter() - started, 3)}

    def _seed(self) -> dict:
        from moto import mock_aws

        from ecsship.local.seed import seed_account

        mock = mock_aws()
        mock.start(reset=False)
        try:
            return seed_account(self._client)
        finally:
            mock.stop(remove_data=False)

    def _client(self, service: str):
        # Clients are cached across resets: creating one costs ~30 ms, more than the seeding calls.
        client = self._clients.get(service)
        if client is None:
            if self._session is None:
                self._session = _session_sharing_moto_models()
            client = self._clients[service] = self._session.client(service)
        return client

    def _catch_up(self) -> None:
        """Run the simulator up to now. A simulator bug must not take the AWS API down with it:
        it is logged (with the traceback) and counted in /_ecsship/status, and requests go on."""
        try:
            self.simulator.catch_up()
        except Exception:  # noqa: BLE001 - deliberately broad, see docstring
            import logging

            self.simulator_errors += 1
            logging.getLogger("ecsship.local.simulator").exception("simulator step failed")
            self.simulator.last = self.clock.now()

    def status(self) -> dict:
        return {
            "ecsship_local": True,
            "pid": os.getpid(),
            "port": self.options.port,
            "account": ACCOUNT_ID,
            "region": REGION,
            "started_at": self.started_at,
            "uptime_seconds": round(time.time() - self.started_at, 1),
            "seeded": self.options.seed,
            "seed": self.seed_summary,
            "clock": self.clock.describe(),
            "fail_images": self.options.fail_images,
            "fail_mode": self.options.fail_mode,
            "latency_ms": self.options.latency_ms,
            "simulator_errors": self.simulator_errors,
        }

    # -- WSGI -----------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        refusal = self._refusal(environ)
        if refusal is not None:
            status, code, message = refusal
            return _aws_error(environ, start_response, status, code, message)
        if path.startswith(CONTROL_PREFIX):
            return self._control(path[len(CONTROL_PREFIX):], environ, start_response)
        start_response = _without_cors(start_response)
        service = _signed_service(environ)
        if service in NOT_IN_MOTO:
            return _not_implemented(environ, start_response, NOT_IN_MOTO[service])
        with self.lock:
            self._catch_up()
            try:
                # Consume the body inside the lock: moto builds it lazily from shared state.
                return [b"".join(self.moto_app(environ, start_response))]
            except NotImplementedError as exc:
                return _not_implemented(environ, start_response, str(exc))

    # -- who may talk to us --------------------------------------------------------------
    def _refusal(self, environ) -> tuple[int, str, str] | None:
        """Why this request is refused, or None. The server binds 127.0.0.1, but a web page in the
        developer's browser can still reach it: so only our own Host names are served (a rebound DNS
        name is not), nothing that comes from a browser (an Origin header, a CORS preflight), and no
        AWS API call without a SigV4 signature - AWS itself answers MissingAuthenticationToken to an
        unsigned request, and a browser's "simple" cross-site form POST cannot carry an Authorization
        header. moto's own /moto-api/ (reset, a dump of every resource) is closed."""
        port = self.options.port
        host = environ.get("HTTP_HOST", "").lower()
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return 403, "AccessDenied", (f"Host {host or '(none)'!r} is not served: only 127.0.0.1:{port} or "
                                         f"localhost:{port} (a guard against DNS rebinding)")
        if "HTTP_ORIGIN" in environ or environ.get("REQUEST_METHOD") == "OPTIONS":
            return 403, "AccessDenied", "requests from a web browser are not served by ecsship's local AWS"
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return None if self._control_authorized(environ) else (
                403, "AccessDenied", "control calls need the token from the local AWS state file")
        if path.startswith("/moto-api"):
            return 403, "AccessDenied", "moto's own API is closed on ecsship's local AWS"
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        query = environ.get("QUERY_STRING", "")
        if authorization.startswith("AWS4-HMAC-SHA256"):
            key = _CREDENTIAL.search(authorization)
            key_id = key.group(1) if key else ""
        elif "X-Amz-Signature=" in query:
            key_id = (parse_qs(query).get("X-Amz-Credential") or [""])[-1].split("/")[0]
        else:
            return 403, "MissingAuthenticationToken", "Request is missing Authentication Token"
        if self.options.require_key and not hmac.compare_digest(key_id, self.options.token) and not self._issued(key_id):
            return 403, "InvalidClientTokenId", ("The security token included in the request is invalid: this local AWS "
                                                 "was started with --auth; use its token as the access key")
        return None

    def _issued(self, key_id: str) -> bool:
        """Temporary credentials the local STS issued to a holder of the token (AssumeRole)."""
        if self.options.plain_moto or not key_id.startswith("ASIA"):
            return False
        from ecsship.local.fidelity.sts import issued_access_key

        return issued_access_key(key_id)

    def _control_authorized(self, environ) -> bool:
        token = self.options.token
        given = environ.get("HTTP_X_ECSSHIP_TOKEN")
        if given is not None:
            return hmac.compare_digest(given, token)
        nonce, auth = environ.get("HTTP_X_ECSSHIP_NONCE"), environ.get("HTTP_X_ECSSHIP_AUTH")
        return bool(nonce and auth) and hmac.compare_digest(auth, proof(token, "client", nonce))

    def _control(self, action: str, environ, start_response):
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            status, payload = self._dispatch_control(action.strip("/"), method, query)
        except ValueError as exc:
            status, payload = 400, {"ok": False, "error": str(exc)}
        body = json.dumps(payload, default=str).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        nonce = environ.get("HTTP_X_ECSSHIP_NONCE")
        if nonce:
            headers.append(("X-Ecsship-Proof", proof(self.options.token, "server", nonce)))
        start_response(f"{status} {'OK' if status == 200 else 'Error'}", headers)
        return [body]

    def _dispatch_control(self, action: str, method: str, query: dict) -> tuple[int, dict]:
        if action == "status":
            # No lock: a long catch-up must not make the backend look dead to `local status`/`up`.
            return 200, self.status()
        if method != "POST":
            return 405, {"ok": False, "error": f"POST required for {action}"}
        if action == "reset":
            return 200, self.reset()
        if action == "advance":
            seconds = float(query.get("seconds", "0"))
            with self.lock:
                self.clock.advance(seconds)
                self._catch_up()
                return 200, {"ok": True, "now": self.clock.now()}
        if action == "config":
            with self.lock:
                if "fail_images" in query:
                    self.options.fail_images = query["fail_images"]
                if "fail_mode" in query:
                    if query["fail_mode"] not in ("health-check", "exit"):
                        raise ValueError("fail_mode must be health-check or exit")
                    self.options.fail_mode = query["fail_mode"]
                if "latency_ms" in query:
                    from ecsship.local.latency import parse_latency_ms

                    self.options.latency_ms = parse_latency_ms(query["latency_ms"])
                self.simulator.configure(fail_images=self.options.fail_images, fail_mode=self.options.fail_mode)
                return 200, {"ok": True, "fail_images": self.options.fail_images, "fail_mode": self.options.fail_mode,
                             "latency_ms": self.options.latency_ms}
        if action == "shutdown":
            if self.shutdown_hook is not None:
                threading.Thread(target=self.shutdown_hook, daemon=True).start()
            return 200, {"ok": True}
        return 404, {"ok": False, "error": f"unknown control action {action!r}"}


# APIs ecsship calls that moto has no backend for (moto then fails with an HTML 500, which botocore
# retries): answered 501 at once, with what to do.
NOT_IN_MOTO = {"pricing": "the AWS Price List API; `ecsship cost` uses the prices shipped with ecsship"}


def _signed_service(environ) -> str:
    """The service a SigV4 request is signed for: `Credential=KEY/DATE/REGION/SERVICE/aws4_request`."""
    match = re.search(r"Credential=[^/,]+/\d{8}/[^/]+/([^/]+)/aws4_request", environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else ""


def _not_implemented(environ, start_response, detail: str):
    """An API moto does not implement answers 501, which botocore does not retry (a 500 is retried
    four times), with a message that says so instead of a bare error page."""
    return _aws_error(environ, start_response, 501, "NotImplemented",
                      f"ecsship's local AWS does not implement this API ({detail})")


def _aws_error(environ, start_response, status: int, code: str, message: str):
    """An error in the shape the caller's protocol parses (JSON or query/XML)."""
    if "json" in environ.get("CONTENT_TYPE", ""):
        body = json.dumps({"__type": code, "message": message}).encode()
        kind = "application/x-amz-json-1.1"
    else:
        from xml.sax.saxutils import escape

        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message>"
                "</Error><RequestId>local</RequestId></ErrorResponse>").encode()
        kind = "text/xml"
    reason = {403: "Forbidden", 501: "Not Implemented"}.get(status, "Error")
    start_response(f"{status} {reason}", [("Content-Type", kind), ("Content-Length", str(len(body)))])
    return [body]


def _without_cors(start_response):
    """moto answers every origin (flask_cors); AWS's own APIs send no CORS headers, and a page in the
    developer's browser must never read the local account: drop them even if moto adds them."""
    def start(status, headers, exc_info=None):
        return start_response(status, [(k, v) for k, v in headers if not k.lower().startswith("access-control-")], exc_info)
    return start


def _session_sharing_moto_models():
    """The boto3 session the seeding clients share, reading botocore's model files through moto's own
    loader, which moto then uses too: each model file (EC2's alone is megabytes of JSON) is parsed once
    per process instead of once per seeding client's session and again by moto, about half of the
    server's start-up. moto's loader is botocore's plus moto's extras (a few error shapes, pagination
    defaults for moto's own parsing), which change nothing a seeding client sends. moto's session for the
    regions of a service (endpoints.json) gets the same loader."""
    import boto3
    import botocore.session
    import moto.core.utils as moto_utils
    from moto.core.base_backend import AccountSpecificBackend
    from moto.core.loaders import create_loader

    loader = create_loader()
    moto_utils.create_loader = lambda: loader  # moto loads service models through this name
    AccountSpecificBackend.get_session()._session.register_component("data_loader", loader)  # regions: endpoints.json
    core = botocore.session.Session()
    core.register_component("data_loader", loader)
    return boto3.session.Session(botocore_session=core, aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name=REGION)


# Hosts a dispatcher remembers: every service and region a client uses is a handful; the bound only
# keeps a client that invents hosts from growing the server.
_MAX_REMEMBERED_HOSTS = 512


def _host_memoizing_dispatcher():
    """moto's server app, answering "which backend serves this Host?" once per host: moto answers it by
    listing its own package directory (a stat per service, ~200) and trying every service's URL
    patterns, twice per request - about 1 ms of every AWS call. The answer for a host depends only on
    the installed moto, which does not change while the process runs."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class HostMemoizingDispatcher(DomainDispatcherApplication):
        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._backend_for_host: dict = {}

        def get_backend_for_host(self, host):  # moto calls it under its own lock
            if host in self._backend_for_host:
                return self._backend_for_host[host]
            backend = super().get_backend_for_host(host)
            if len(self._backend_for_host) < _MAX_REMEMBERED_HOSTS:
                self._backend_for_host[host] = backend
            return backend

    return HostMemoizingDispatcher()


def _forget_all_moto_state() -> None:
    """moto's own reset re-creates every backend just to throw it away (1-2 s with IAM's managed
    policies); dropping them is enough: backends are created again lazily on first use."""
    from moto.core.base_backend import BackendDict, backend_lock
    from moto.core.model_instances import reset_model_data

    with backend_lock:
        for backend_dict in BackendDict._instances:
            backend_dict.clear()
        BackendDict._instances.clear()
    reset_model_data()


def prepare_moto_environment() -> None:
    """Settings moto reads from the environment, fixed before it is imported."""
    # ECS on Fargate needs no AMIs, and loading them costs 150 ms on every reset.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    # AWS accounts have AWS-managed IAM policies (e.g. AmazonECSTaskExecutionRolePolicy).
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "false")
    # moto's global CORS echoes any Origin; AWS APIs do not, and the local AWS must not (issue #22).
    os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"
