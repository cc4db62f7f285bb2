"""One Aws object per invocation: a boto3 session, cached clients, call accounting.

Clients use botocore's standard retry mode (bounded attempts, exponential backoff with jitter,
retries on throttling and transient errors) so no caller writes its own retry loop.
"""
from __future__ import annotations

import getpass
import os
import re
import threading
import uuid
from concurrent.futures import wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable
from xml.etree import ElementTree

import boto3
from botocore.config import Config

from ecsship import __version__
from ecsship.aws.errors import aws_call, translate_botocore
from ecsship.aws.faults import FaultInjector
from ecsship.aws.modelcache import share_loader
from ecsship.aws.operations import READ_PREFIXES, is_read_operation  # noqa: F401  (re-exported: callers import it from here)
from ecsship.aws.readcache import ReadCache
from ecsship.desired.image_and_secret_refs import partition_for_region
from ecsship.errors import UsageError

LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass
class CallLog:
    """Counts of AWS API calls made, by service and operation; reads and writes apart. Recorded from
    the threads plan reads run in (aws/concurrency.py): appended and copied under a lock."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, service: str, operation: str) -> None:
        with self._lock:
            self.calls.append((service, operation))

    def _snapshot(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self.calls)

    @property
    def reads(self) -> list[tuple[str, str]]:
        return [c for c in self._snapshot() if is_read_operation(c[1])]

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [c for c in self._snapshot() if not is_read_operation(c[1])]


def _known_region(session, region: str) -> bool:
    """True when botocore knows the region in any partition (aws, aws-cn, aws-us-gov, ...)."""
    try:
        return any(region in session.get_available_regions("ec2", partition_name=p) for p in session.get_available_partitions())
    except Exception:  # no endpoint data to judge by: let the call itself say
        return True


def _region_from_environment() -> str | None:
    """AWS_REGION, which the AWS CLI v2 and the other SDKs read before AWS_DEFAULT_REGION; botocore
    reads only AWS_DEFAULT_REGION (its configprovider maps `region` to that variable alone), so ecsship
    passes AWS_REGION on itself. None leaves botocore's chain (AWS_DEFAULT_REGION, then the profile)."""
    return os.environ.get("AWS_REGION") or None


XML_PROTOCOLS = ("query", "ec2", "rest-xml")


def _non_aws_5xx_is_generic(operation_model=None, response_dict=None, **_):
    """A 5xx whose body is not AWS-shaped (an HTML or plain-text 502/503 from a proxy or load
    balancer in between) is made a generic error, so it is retried like any transient error.

    botocore treats a 5xx as generic (ClientError with the status as code, which standard retry mode
    retries) only when the body is empty or starts with `<html>`; for the XML protocols (EC2, IAM,
    STS, ELB, CloudWatch) a body such as `Bad Gateway` otherwise fails XML parsing with a
    ResponseParserError, which is never retried. JSON protocols already cope (the body becomes the
    message).
    """
    if not response_dict or response_dict.get("status_code", 0) < 500 or operation_model is None:
        return
    if operation_model.service_model.resolved_protocol not in XML_PROTOCOLS:
        return
    body = (response_dict.get("body") or b"").strip()
    if not _is_xml_document(body):
        response_dict["body"] = b""


def _is_xml_document(body: bytes) -> bool:
    """True for a well-formed XML document that is not an HTML page."""
    try:
        root = ElementTree.fromstring(body)
    except Exception:
        return False
    return root.tag.lower() != "html"


def session_name(environ=None) -> str:
    """`ecsship-<user>`: CloudTrail in the role's account then says ecsship acted, and for whom (the
    GitHub actor in Actions, else the local user). Fitted to RoleSessionName's 2-64 `[\\w+=,.@-]`."""
    env = os.environ if environ is None else environ
    try:
        user = env.get("GITHUB_ACTOR") or env.get("GITLAB_USER_LOGIN") or getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        user = ""
    user = re.sub(r"[^\w+=,.@-]", "-", user)[:56] or "unknown"
    return f"ecsship-{user}"


class Aws:
    def __init__(
        self,
        region: str | None = None,
        profile: str | None = None,
        endpoint_url: str | None = None,
        local: bool = False,
        max_attempts: int = 6,
        retry_mode: str = "standard",
        event_hooks: list[tuple[str, Callable]] | None = None,
        faults=None,
        credentials: dict | None = None,
        assume_role_arn: str | None = None,
        external_id: str | None = None,
        clock=None,
    ):
        self.local = local
        # The run's clock (`Application.clock()`): what the core's waits on this AWS sleep on
        # (`deploy/clock.clock_for`). None: the real clock.
        self.clock = clock
        self.endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
        kwargs: dict = {}
        if profile:
            kwargs["profile_name"] = profile
        if local:
            kwargs.update(credentials or LOCAL_CREDENTIALS)
        try:
            self.session = boto3.session.Session(region_name=region or _region_from_environment(), **kwargs)
        except Exception as exc:  # ProfileNotFound and friends
            translated = translate_botocore(exc)
            if translated:
                raise translated from None
            raise
        self.region = self.session.region_name
        if not self.region:
            raise UsageError(
                "no AWS region configured",
                "set `region:` in the manifest, pass --region, or export AWS_REGION",
            )
        if not self.endpoint_url and not local and not _known_region(self.session, self.region):
            raise UsageError(f"unknown AWS region {self.region!r}",
                             "check the name (for example us-east-1 or eu-west-1); a region newer than this botocore "
                             "needs `pip install -U botocore`, or reach it with --endpoint-url")
        self.config = Config(
            retries={"mode": retry_mode, "max_attempts": max_attempts},
            user_agent_extra=f"ecsship/{__version__}",
            connect_timeout=5,
            read_timeout=30,
        )
        self.max_attempts = max_attempts
        self.assumed_role = assume_role_arn
        share_loader(self.session._session)
        if assume_role_arn:
            self.session = self._assumed(assume_role_arn, external_id)
            share_loader(self.session._session)
        self.calls = CallLog()
        self.read_cache = ReadCache()
        self._clients: dict[str, object] = {}
        # boto3 sessions are not thread safe, the clients they make are: plan reads run in threads
        # (aws/concurrency.py), so a client is made under this lock and then shared.
        self._client_lock = threading.RLock()
        self._account_lock = threading.Lock()
        self.session.events.register("before-call.*.*", self._before_call)
        self.session.events.register("after-call.*.*", self._after_call)
        self.session.events.register("after-call-error.*.*", self._after_call_error)
        self.session.events.register("before-parse.*.*", _non_aws_5xx_is_generic)
        self.faults = faults or FaultInjector.from_environment()
        if self.faults is not None:
            self.faults.install(self.session)
        for event, handler in event_hooks or []:
            self.session.events.register(event, handler)
        self._account_id: str | None = None
        self._account_pending = None
        # Part of every client token: resends within this run are deduplicated by AWS, while a later
        # run (say, after `destroy`) is never matched to a resource created and deleted before.
        self.run_id = uuid.uuid4().hex

    def _assumed(self, role_arn: str, external_id: str | None):
        """A session with the role's temporary credentials, refreshed before they expire (a deploy can
        outlast the default hour), as botocore refreshes a profile's `role_arn`. Assumed once, here,
        so a role that cannot be assumed fails before anything else with one clear message.

        STS AssumeRole (botocore model): RoleSessionName 2-64 characters `[\\w+=,.@-]*`; ExternalId
        2-1224 characters, "might be required when you assume a role in another account"."""
        import botocore.session
        from botocore.credentials import AssumeRoleCredentialFetcher, RefreshableCredentials

        extra: dict = {"RoleSessionName": session_name()}
        if external_id:
            extra["ExternalId"] = external_id
        base = self.session

        def client_creator(service, **kwargs):
            return base.client(service, endpoint_url=self.endpoint_url, config=self.config, **kwargs)

        source = base.get_credentials()
        if source is None:
            raise UsageError(f"cannot assume {role_arn}: no AWS credentials to assume it with",
                             "configure credentials (a profile, the environment, OIDC in CI) for the account that may assume the role")
        fetcher = AssumeRoleCredentialFetcher(client_creator, source, role_arn, extra_args=extra)
        with aws_call(f"role {role_arn}", "sts:AssumeRole"):
            first = fetcher.fetch_credentials()
        credentials = RefreshableCredentials.create_from_metadata(first, refresh_using=fetcher.fetch_credentials,
                                                                  method="assume-role")
        core = botocore.session.Session()
        core._credentials = credentials  # what boto3's own examples do for refreshable credentials
        return boto3.session.Session(botocore_session=core, region_name=base.region_name)

    def _before_call(self, model=None, params=None, context=None, **_):
        """Answers a read from the run's read cache when it can (not counted: no call is made),
        else counts the call."""
        if model is None:
            return None
        answer = self.read_cache.lookup(model, params or {}, context)
        if answer is None:
            self.calls.record(model.service_model.service_name, model.name)
        return answer

    def _after_call(self, http_response=None, parsed=None, context=None, **_):
        self.read_cache.store(http_response, parsed, context)

    def _after_call_error(self, context=None, **_):
        self.read_cache.release(context)

    @contextmanager
    def caching_reads(self):
        """Within: a read repeated with the same request is answered from memory (see readcache)."""
        self.read_cache.active += 1
        try:
            yield
        finally:
            self.read_cache.active -= 1
            if not self.read_cache.active:
                self.read_cache.clear()

    def client(self, service: str, region: str | None = None):
        """A client of `service` in the session's region, or in `region` (an image or secret that lives
        in another region is read there: its ARN or URI names the region)."""
        region = region if region and region != self.region else None
        key = f"{service}@{region}" if region else service
        client = self._clients.get(key)
        if client is None:
            with self._client_lock:
                client = self._clients.get(key)
                if client is None:
                    client = self.session.client(service, region_name=region, endpoint_url=self.endpoint_url, config=self.config)
                    self._clients[key] = client
        return client

    def client_without_retries(self, service: str):
        """A client that sends each request once: for creates that are not safe to resend
        (see ecsship.aws.retrysafe), whose caller reads before it retries."""
        key = f"{service}/once"
        with self._client_lock:
            client = self._clients.get(key)
            if client is None:
                config = self.config.merge(Config(retries={"mode": self.config.retries["mode"], "total_max_attempts": 1}))
                client = self.session.client(service, endpoint_url=self.endpoint_url, config=config)
                self._clients[key] = client
        return client

    def expect_account(self, pending) -> None:
        """`pending` (a Future, or None: nothing pending any more): a read in flight that may tell the
        account (`note_account_of`: a plan's tagging-API index); `account_id` waits for it before it
        asks STS, so reads side by side (aws/concurrency.py) make the same calls as one after another."""
        self._account_pending = pending

    @property
    def account_id(self) -> str:
        pending = self._account_pending
        if self._account_id is None and pending is not None:
            wait([pending])  # its error, if any, is its reader's to report
        if self._account_id is None:
            with self._account_lock:  # asked by several reads at once: one of them calls, the rest wait
                if self._account_id is None:
                    with aws_call("AWS account", "sts:GetCallerIdentity"):
                        self._account_id = self.client("sts").get_caller_identity()["Account"]
        return self._account_id

    def note_account_of(self, arn: str) -> None:
        """Learn the caller's account from the ARN of a resource an API listed as the caller's own
        (Resource Groups Tagging API GetResources: resources "located in the specified Amazon Web
        Services Region for the account"), so `account_id` needs no sts GetCallerIdentity."""
        parts = arn.split(":", 5)
        if self._account_id is None and len(parts) == 6 and len(parts[4]) == 12 and parts[4].isdigit():
            self._account_id = parts[4]

    @property
    def partition(self) -> str:
        """aws, aws-cn, aws-us-gov, ...: botocore's endpoint data tells the partition of the region."""
        try:
            return self.session.get_partition_for_region(self.region)
        except Exception:  # a region newer than this botocore (reached with --endpoint-url)
            return partition_for_region(self.region)
