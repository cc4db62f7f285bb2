"""`ecsship local up --latency 80ms`: a fixed delay before every AWS API answer of the local AWS, so
ecsship (and any other tool) can be seen under real-AWS latency offline (issue #20).

The delay is taken outside the backend's lock: on AWS, requests in flight at the same time wait
their round trips side by side, so concurrent reads must overlap here too. The /_ecsship/ control
calls (the test clock, reset, status) are not AWS and are answered at once.
"""
from __future__ import annotations

import re
import time
from typing import Callable

_LATENCY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")
MAX_LATENCY_MS = 60_000.0


def parse_latency_ms(text: str | float | int) -> float:
    """Milliseconds in `80ms`, `0.08s` or `80` (a bare number is milliseconds). ValueError otherwise."""
    match = _LATENCY.match(str(text))
    if not match:
        raise ValueError(f"not a latency: {text!r} (use 80ms, 0.08s or 80)")
    value = float(match.group(1)) * (1000.0 if match.group(2) == "s" else 1.0)
    if value > MAX_LATENCY_MS:
        raise ValueError(f"latency {text!r} is over {MAX_LATENCY_MS / 1000:.0f} s")
    return value


def with_latency(app, options, control_prefix: str, sleep: Callable[[float], None] = time.sleep):
    """`app` (a WSGI application), answering each request whose path is not under `control_prefix`
    only after `options.latency_ms` (read per request: `/_ecsship/config?latency_ms=N` changes it
    on a running backend, as the benchmark does to measure one state at 0 and at 80 ms)."""

    def delayed(environ, start_response):
        latency_ms = options.latency_ms
        if latency_ms > 0 and not environ.get("PATH_INFO", "").startswith(control_prefix):
            sleep(latency_ms / 1000.0)
        return app(environ, start_response)

    return delayed
