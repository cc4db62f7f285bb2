"""Fault injection for chaos testing: make a share of AWS calls fail the way AWS and networks do.

A botocore `before-send` hook answers a chosen share of requests itself, before they leave the
process, with one of: a throttling error, HTTP 500/503, RequestTimeout, or a dropped connection.
Retries then go through botocore's own retry handler exactly as in production, so a test with
faults exercises the real retry path. Enabled by tests, or by users rehearsing resilience with
ECSSHIP_FAULT_RATE=0.3 (and ECSSHIP_FAULT_SEED for a repeatable sequence).
"""
from __future__ import annotations

import json
import os
import random
import threading
from dataclasses import dataclass, field

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from ecsship.aws.operations import is_read_operation

KINDS = ("throttle", "http500", "http503", "timeout", "drop")
# Answers of an intermediary (proxy, firewall, load balancer) rather than of AWS: a 5xx whose body is
# plain text or an HTML page, not an AWS error document. Opt-in (kinds=... or ECSSHIP_FAULT_KINDS).
PROXY_KINDS = {"proxy502": (502, "text/plain", b"502 Bad Gateway"),
               "proxy503html": (503, "text/html", b"<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1></body></html>")}


class _Raw:
    """Just enough of urllib3's response for botocore's parsers."""

    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_):
        yield self._body


@dataclass
class FaultInjector:
    rate: float
    seed: int = 0
    kinds: tuple[str, ...] = KINDS
    # A real transient fault rarely hits the same request every time; never fail more than this
    # many attempts in a row so bounded retries can still succeed. Counted per thread: a request's
    # retries stay on its thread, while plan reads run on a pool, so one shared count let another
    # thread's success reset it and one request could be faulted until its retries ran out.
    max_consecutive: int = 2
    # Share of successful mutating calls whose response is "lost": AWS did the work, the client
    # never heard, and botocore sends the same request again. Non-idempotent creates must cope.
    lost_response_rate: float = 0.0
    injected: dict[str, int] = field(default_factory=dict)
    calls: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._consecutive: dict[int, int] = {}

    @classmethod
    def from_environment(cls) -> "FaultInjector | None":
        rate = os.environ.get("ECSSHIP_FAULT_RATE")
        if not rate:
            return None
        kinds = tuple(k for k in os.environ.get("ECSSHIP_FAULT_KINDS", "").split(",") if k in KINDS or k in PROXY_KINDS)
        return cls(rate=float(rate), seed=int(os.environ.get("ECSSHIP_FAULT_SEED", "0")),
                   lost_response_rate=float(os.environ.get("ECSSHIP_FAULT_LOST_RATE", "0")), kinds=kinds or KINDS)

    def install(self, session) -> None:
        """Register on a boto3 Session (or botocore session's events)."""
        events = getattr(session, "events", None) or session._session.get_component("event_emitter")
        events.register_first("before-send.*.*", self._before_send)
        if self.lost_response_rate:
            events.register_first("needs-retry.*.*", self._needs_retry)

    @property
    def total(self) -> int:
        return sum(self.injected.values())

    def _before_send(self, request=None, event_name: str = "", **_):
        thread = threading.get_ident()
        with self._lock:
            self.calls += 1
            in_a_row = self._consecutive.get(thread, 0)
            if in_a_row >= self.max_consecutive or self._random.random() >= self.rate:
                self._consecutive[thread] = 0
                return None
            self._consecutive[thread] = in_a_row + 1
            kind = self._random.choice(self.kinds)
            self.injected[kind] = self.injected.get(kind, 0) + 1
        service = event_name.split(".")[1] if event_name.count(".") >= 2 else ""
        content_type = str((getattr(request, "headers", None) or {}).get("Content-Type", ""))
        protocol = "ec2" if service == "ec2" else ("query" if "x-www-form-urlencoded" in content_type else "json")
        if kind in PROXY_KINDS:
            status, content_type, body = PROXY_KINDS[kind]
            return AWSResponse(getattr(request, "url", ""), status, {"Content-Type": content_type}, _Raw(body))
        if kind == "drop":
            raise ConnectionClosedError(endpoint_url=getattr(request, "url", "?"))
        if kind == "timeout":
            return _error_response(request, protocol, 408, "RequestTimeout", "Request timed out (injected)")
        if kind == "throttle":
            return _error_response(request, protocol, 400, "ThrottlingException", "Rate exceeded (injected)")
        status = 500 if kind == "http500" else 503
        return _error_response(request, protocol, status, "InternalFailure" if status == 500 else "ServiceUnavailable", "injected")


    def _needs_retry(self, response=None, operation=None, attempts=None, caught_exception=None, request_dict=None, **_):
        # Runs before botocore's own retry handler; a non-None answer makes botocore resend.
        if caught_exception is not None or response is None or operation is None or attempts != 1:
            return None
        if is_read_operation(operation.name) or response[0].status_code >= 300:
            return None
        with self._lock:
            if self._random.random() >= self.lost_response_rate:
                return None
            self.injected["lost"] = self.injected.get("lost", 0) + 1
        config = ((request_dict or {}).get("context") or {}).get("client_config")
        retries = getattr(config, "retries", None) or {}
        if retries.get("total_max_attempts") == 1 or retries.get("max_attempts") == 0:
            # A client that never resends: the caller sees the timeout, though AWS did the work.
            raise ReadTimeoutError(endpoint_url=(request_dict or {}).get("url", "?"))
        return 0


def _error_response(request, protocol: str, status: int, code: str, message: str) -> AWSResponse:
    """An error body in the request's protocol: EC2 XML, query XML (IAM, ELBv2, STS...), or JSON."""
    if code == "ThrottlingException" and protocol != "json":
        code = "Throttling" if protocol == "query" else "RequestLimitExceeded"
    if protocol == "ec2":
        body = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>x</RequestID></Response>"
        headers = {"Content-Type": "text/xml"}
    elif protocol == "query":
        body = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>x</RequestId></ErrorResponse>"
        headers = {"Content-Type": "text/xml"}
    else:
        body = json.dumps({"__type": code, "message": message})
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
    return AWSResponse(getattr(request, "url", ""), status, headers, _Raw(body.encode()))
